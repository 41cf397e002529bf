package simjob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/assayhq/assay/internal/store"
)

// CompareKnownSolution fetches a registered known solution (once: a ready
// one keeps its snapshot and fingerprints), and compares it with every
// submission of its take-home in its organisation, earlier ones included:
// their results gain the pair when it is among their closest. A fetch the
// policy refuses or that fails marks the solution failed with the reason,
// for the admin to read; it is not retried.
func (j *Job) CompareKnownSolution(ctx context.Context, id string) error {
	orgID, k, doc, err := j.Store.KnownSolutionForTask(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted since it was registered
	}
	if err != nil {
		return err
	}
	if k.Status != store.KnownReady || doc.Fingerprints == nil {
		snap, commit, err := j.Fetch.Snapshot(ctx, k.RepoURL)
		if err != nil {
			slog.Warn("similarity: known solution not fetched", "id", id, "err", err)
			return j.Store.KnownSolutionFailed(ctx, id, err.Error())
		}
		ix := newIndex()
		raw, err := ix.Fingerprint(engineFiles(snap.Files)).MarshalBinary()
		if err != nil {
			return err
		}
		if err := j.Store.KnownSolutionFetched(ctx, id, commit, snap, raw); err != nil {
			return err
		}
		doc.Fingerprints = raw
	}
	g, err := j.buildIndex(ctx, orgID, k.Takehome, func(d store.SimilarityDoc) bool {
		// Known solutions are compared with submissions, not with one another.
		return d.Kind == store.OtherKnownSolution
	})
	if err != nil {
		return fmt.Errorf("similarity of known solution %s: %w", id, err)
	}
	p, err := j.prepare(ctx, g, orgID, doc)
	if err != nil {
		return fmt.Errorf("similarity of known solution %s: %w", id, err)
	}
	matches, err := g.compare(doc, p)
	if err != nil {
		return fmt.Errorf("similarity of known solution %s: %w", id, err)
	}
	return j.Store.StoreSimilarity(ctx, orgID, doc, matches)
}
