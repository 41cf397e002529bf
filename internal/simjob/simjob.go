// Package simjob wires the similarity engine (internal/similarity) to the
// platform: after each graded run it fingerprints the run's code snapshot
// (the take-home's starter kit is the template), compares it with the index
// of its group (the submissions of the same take-home in the same
// organisation, never across organisations, plus the known solutions
// registered for it) and stores the results on both sides. The index is
// rebuilt from fingerprints stored per snapshot, so only the new document is
// lexed. Known solutions are fetched, snapshotted and compared the same way.
package simjob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"

	"github.com/assayhq/assay/internal/catalog"
	"github.com/assayhq/assay/internal/similarity"
	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/takehome"
)

// Job runs the similarity tasks. It is safe for concurrent use.
type Job struct {
	Store *store.Store
	// Catalog gives each take-home's starter kit, the template.
	Catalog *catalog.Catalog
	// Fetch checks a known solution out and snapshots it.
	Fetch Fetcher

	templates sync.Map // starter's key → similarity.Fingerprints
}

// Fetcher fetches a repository and returns its snapshot and commit.
type Fetcher interface {
	Snapshot(ctx context.Context, repoURL string) (*snapshot.Snapshot, string, error)
}

// newIndex is the engine with its defaults (k, window, closest matches),
// which the stored fingerprints were made with.
func newIndex() *similarity.Index {
	return similarity.NewIndex(similarity.Options{MaxMatches: store.MaxSimilarityMatches})
}

// template returns the fingerprints of the take-home's starter kit, read by
// the snapshot's rules; none for a take-home without one.
func (j *Job) template(ctx context.Context, ix *similarity.Index, orgID, takehome string) (similarity.Fingerprints, error) {
	key, load, err := j.starter(ctx, orgID, takehome)
	if err != nil {
		return similarity.Fingerprints{}, err
	}
	if f, ok := j.templates.Load(key); ok {
		return f.(similarity.Fingerprints), nil
	}
	kit, err := load()
	if err != nil {
		return similarity.Fingerprints{}, fmt.Errorf("starter kit of %s: %w", takehome, err)
	}
	var files []similarity.File
	if kit != nil {
		snap, err := snapshot.Take(kit, snapshot.Limits{})
		if err != nil {
			return similarity.Fingerprints{}, fmt.Errorf("read the starter kit of %s: %w", takehome, err)
		}
		files = engineFiles(snap.Files)
	}
	f := ix.Fingerprint(files)
	j.templates.Store(key, f)
	return f, nil
}

// starter says where a take-home's starter kit is: the key its fingerprints
// are kept under and how to read it (nil for no kit). A built-in one's is
// kept by slug; an organisation's own one's by its newest issuable version
// (slugs are the organisation's, and a new version may change the kit), its
// stored bundle read only when that version's is not kept yet.
func (j *Job) starter(ctx context.Context, orgID, slug string) (string, func() (fs.FS, error), error) {
	if th, ok := j.Catalog.Takehome(slug); ok {
		return "builtin:" + slug, func() (fs.FS, error) { return th.Starter, nil }, nil
	}
	own, err := j.Store.IssuableTakehomes(ctx, orgID)
	if err != nil {
		return "", nil, fmt.Errorf("starter kit of %s: %w", slug, err)
	}
	for _, th := range own {
		if th.Slug == slug {
			return "version:" + th.VersionID, func() (fs.FS, error) {
				v, err := j.Store.TakehomeBundle(ctx, orgID, th.VersionID)
				if err != nil {
					return nil, err
				}
				b, _, err := takehome.LoadZip(bytes.NewReader(v.Bundle), int64(len(v.Bundle)))
				if err != nil {
					return nil, err
				}
				return b.Starter, nil
			}, nil
		}
	}
	return "none:" + orgID + ":" + slug, func() (fs.FS, error) { return nil, nil }, nil
}

func engineFiles(files []snapshot.File) []similarity.File {
	out := make([]similarity.File, len(files))
	for i, f := range files {
		out[i] = similarity.File{Path: f.Path, Content: f.Content}
	}
	return out
}

// groupIndex is a take-home's index of one organisation, rebuilt from stored
// fingerprints, with the documents it holds by id.
type groupIndex struct {
	ix    *similarity.Index
	group similarity.Group
	docs  map[string]store.SimilarityDoc
}

// buildIndex indexes every document of the group but skip (the one being
// compared, and the other attempts of its candidate), fingerprinting and
// storing any that has no usable fingerprints yet (graded before this
// feature, or made by another version of the engine).
func (j *Job) buildIndex(ctx context.Context, orgID, takehome string, skip func(store.SimilarityDoc) bool) (*groupIndex, error) {
	g := &groupIndex{ix: newIndex(), group: similarity.Group{OrgID: orgID, Takehome: takehome}, docs: map[string]store.SimilarityDoc{}}
	tmpl, err := j.template(ctx, g.ix, orgID, takehome)
	if err != nil {
		return nil, err
	}
	if err := g.ix.SetTemplateFingerprints(g.group, tmpl); err != nil {
		return nil, err
	}
	docs, err := j.Store.SimilarityGroup(ctx, orgID, takehome)
	if err != nil {
		return nil, err
	}
	prepared := make([]similarity.Prepared, 0, len(docs))
	total := 0
	for _, d := range docs {
		if skip(d) {
			continue
		}
		p, err := j.prepare(ctx, g, orgID, d)
		if err != nil {
			return nil, err
		}
		prepared = append(prepared, p)
		total += p.Count()
		g.docs[d.ID] = d
	}
	g.ix.Reserve(g.group, total)
	for _, p := range prepared {
		if err := g.ix.Insert(p); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// prepare reads a document's stored fingerprints, or fingerprints its files
// and stores them when there are none fit for the engine.
func (j *Job) prepare(ctx context.Context, g *groupIndex, orgID string, d store.SimilarityDoc) (similarity.Prepared, error) {
	kind := similarity.Submission
	if d.Kind == store.OtherKnownSolution {
		kind = similarity.KnownSolution
	}
	if d.Fingerprints != nil {
		f, err := similarity.ParseFingerprints(d.Fingerprints)
		var p similarity.Prepared
		if err == nil {
			if p, err = g.ix.PrepareStored(d.ID, g.group, kind, f); !errors.Is(err, similarity.ErrStale) {
				return p, err
			}
		}
		slog.Info("similarity: fingerprinting again", "kind", d.Kind, "id", d.ID, "reason", err)
	}
	var files []snapshot.File
	var err error
	if d.Kind == store.OtherKnownSolution {
		files, err = j.Store.KnownSolutionFiles(ctx, orgID, d.ID)
	} else {
		files, err = j.Store.CodeFiles(ctx, orgID, d.ID, d.Run)
	}
	if err != nil {
		return similarity.Prepared{}, err
	}
	f := g.ix.Fingerprint(engineFiles(files))
	raw, err := f.MarshalBinary()
	if err != nil {
		return similarity.Prepared{}, err
	}
	if d.Kind == store.OtherKnownSolution {
		err = j.Store.SetKnownSolutionFingerprints(ctx, orgID, d.ID, raw)
	} else {
		err = j.Store.SetSnapshotFingerprints(ctx, orgID, d.ID, d.Run, raw)
	}
	if err != nil {
		return similarity.Prepared{}, err
	}
	return g.ix.PrepareStored(d.ID, g.group, kind, f)
}

// compare adds doc to the group's index and turns the engine's matches into
// the store's, from doc's side.
func (g *groupIndex) compare(doc store.SimilarityDoc, p similarity.Prepared) ([]store.SimilarityMatch, error) {
	matches, err := g.ix.AddPrepared(p)
	if err != nil {
		return nil, err
	}
	g.docs[doc.ID] = doc
	out := make([]store.SimilarityMatch, 0, len(matches))
	for _, m := range matches {
		other := g.docs[m.Other]
		sm := store.SimilarityMatch{SubmissionID: doc.ID, Run: doc.Run, OtherKind: other.Kind, OtherID: other.ID, OtherRun: other.Run,
			Similarity: m.Similarity, SimilaritySelf: m.SimilarityNew, SimilarityOther: m.SimilarityOther, Shared: m.Shared,
			LinesSelf: m.LinesNew, LinesOther: m.LinesOther, Longest: fragment(m.LongestFragment)}
		for _, f := range m.Fragments {
			sm.Fragments = append(sm.Fragments, fragment(f))
		}
		// The longest first: the pair page lists them in this order.
		sortFragments(sm.Fragments)
		sm.Fragments = dropEchoes(sm.Fragments)
		out = append(out, sm)
	}
	return out, nil
}

func fragment(f similarity.Fragment) store.SimilarityFragment {
	return store.SimilarityFragment{SelfPath: f.New.Path, SelfStart: f.New.StartLine, SelfEnd: f.New.EndLine,
		OtherPath: f.Other.Path, OtherStart: f.Other.StartLine, OtherEnd: f.Other.EndLine, Fingerprints: f.Fingerprints}
}

// CompareSubmission fingerprints run's snapshot of a submission (once: the
// fingerprints are stored), compares it with its group and stores the
// results on both sides. Running it again gives the same results. A run
// whose code is gone (pruned) has nothing to compare.
func (j *Job) CompareSubmission(ctx context.Context, submissionID string, run int) error {
	orgID, takehome, doc, err := j.Store.SnapshotForSimilarity(ctx, submissionID, run)
	if errors.Is(err, store.ErrNotFound) {
		slog.Info("similarity: no code to compare", "submission", submissionID, "run", run)
		return nil
	}
	if err != nil {
		return err
	}
	g, err := j.buildIndex(ctx, orgID, takehome, func(d store.SimilarityDoc) bool {
		// Another attempt of the same candidate is not a copy.
		return d.ID == doc.ID || (d.Kind == store.OtherSubmission && d.InvitationID == doc.InvitationID)
	})
	if err != nil {
		return fmt.Errorf("similarity of %s: %w", submissionID, err)
	}
	p, err := j.prepare(ctx, g, orgID, doc)
	if err != nil {
		return fmt.Errorf("similarity of %s: %w", submissionID, err)
	}
	matches, err := g.compare(doc, p)
	if err != nil {
		return fmt.Errorf("similarity of %s: %w", submissionID, err)
	}
	return j.Store.StoreSimilarity(ctx, orgID, doc, matches)
}
