package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Decisions a reviewer may record.
var Decisions = []string{"advance", "reject", "hold"}

// AddReview records a reviewer's decision on a submission of their organisation.
func (s *Store) AddReview(ctx context.Context, a Actor, submissionID, decision, notes string) (*Review, error) {
	r := Review{OrgID: a.OrgID, SubmissionID: submissionID, Decision: decision, Notes: notes}
	if a.UserID != "" {
		r.ReviewerID = &a.UserID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if !validUUID(submissionID) {
			return fmt.Errorf("submission %q: %w", submissionID, ErrNotFound)
		}
		var sub Submission
		if err := tx.Where("org_id = ? AND id = ?", a.OrgID, submissionID).Take(&sub).Error; err != nil {
			return notFound(err, "submission")
		}
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("create review: %w", err)
		}
		if err := emitReviewDecided(tx, &r, &sub); err != nil {
			return err
		}
		return audit(tx, a, "review.decided", "submission", submissionID, map[string]any{"decision": decision})
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}
