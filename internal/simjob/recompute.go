package simjob

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/internal/similarity"
	"github.com/assayhq/assay/internal/store"
)

// Recomputed says what a recompute did.
type Recomputed struct {
	Documents int // submissions and known solutions compared
	Flagged   int // submissions flagged, each at its assessment's threshold
}

// Recompute compares again every document of the take-home of an assessment
// in its organisation (all its assessments of that take-home share one
// group), oldest first, as the tasks would have one by one, and replaces the
// stored results. The group holds each candidate's latest attempt only, so
// no candidate is compared with their own earlier attempt. Stored fingerprints are reused: only documents without
// usable ones are lexed.
func (j *Job) Recompute(ctx context.Context, orgID, assessmentID string) (Recomputed, error) {
	var done Recomputed
	as, err := j.Store.Assessment(ctx, orgID, assessmentID)
	if err != nil {
		return done, err
	}
	docs, err := j.Store.SimilarityGroup(ctx, orgID, as.Takehome)
	if err != nil {
		return done, err
	}
	g := &groupIndex{ix: newIndex(), group: similarity.Group{OrgID: orgID, Takehome: as.Takehome}, docs: map[string]store.SimilarityDoc{}}
	tmpl, err := j.template(ctx, g.ix, orgID, as.Takehome)
	if err != nil {
		return done, err
	}
	if err := g.ix.SetTemplateFingerprints(g.group, tmpl); err != nil {
		return done, err
	}
	prepared := make([]similarity.Prepared, len(docs))
	total := 0
	for i, d := range docs {
		if prepared[i], err = j.prepare(ctx, g, orgID, d); err != nil {
			return done, fmt.Errorf("recompute %s: %w", d.ID, err)
		}
		total += prepared[i].Count()
	}
	g.ix.Reserve(g.group, total)
	for i, d := range docs {
		matches, err := g.compare(d, prepared[i])
		if err != nil {
			return done, fmt.Errorf("recompute %s: %w", d.ID, err)
		}
		if err := j.Store.StoreSimilarity(ctx, orgID, d, matches); err != nil {
			return done, err
		}
		done.Documents++
	}
	var ids []string
	for _, d := range docs {
		if d.Kind == store.OtherSubmission {
			ids = append(ids, d.ID)
		}
	}
	flags, err := j.Store.SimilarityFlags(ctx, orgID, ids)
	if err != nil {
		return done, err
	}
	done.Flagged = len(flags)
	return done, nil
}
