package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// Decisions a reviewer may record.
var Decisions = []string{"advance", "reject", "hold"}

// ErrDecided is returned when a submission already has its decision: it is
// recorded once, and only an admin's explicit change (ChangeDecision) replaces it.
var ErrDecided = fmt.Errorf("%w: the submission already has a decision; an admin may change it", ErrConflict)

// AddReview records the decision on a submission of the actor's organisation.
// The decision is recorded once: a second attempt, even a concurrent one,
// fails with ErrDecided.
func (s *Store) AddReview(ctx context.Context, a Actor, submissionID, decision, notes string) (*Review, error) {
	return s.decide(ctx, a, submissionID, decision, notes, false)
}

// ChangeDecision replaces the decision in force with another, as an explicit
// change (callers let only admins make it). The earlier decision stays in the
// history and the change is audited.
func (s *Store) ChangeDecision(ctx context.Context, a Actor, submissionID, decision, notes string) (*Review, error) {
	return s.decide(ctx, a, submissionID, decision, notes, true)
}

func (s *Store) decide(ctx context.Context, a Actor, submissionID, decision, notes string, change bool) (*Review, error) {
	r := Review{OrgID: a.OrgID, SubmissionID: submissionID, Decision: decision, Notes: notes, Changed: change}
	if a.UserID != "" {
		r.ReviewerID = &a.UserID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if !validUUID(submissionID) {
			return fmt.Errorf("submission %q: %w", submissionID, ErrNotFound)
		}
		// The lock on the submission orders concurrent decisions: the second
		// sees the first's row.
		var sub Submission
		if err := tx.Clauses(forUpdate).Where("org_id = ? AND id = ?", a.OrgID, submissionID).Take(&sub).Error; err != nil {
			return notFound(err, "submission")
		}
		var prior Review
		err := tx.Where("submission_id = ?", submissionID).Order("created_at DESC").Take(&prior).Error
		switch {
		case err == nil && !change:
			return ErrDecided
		case errors.Is(err, gorm.ErrRecordNotFound) && change:
			return fmt.Errorf("%w: the submission has no decision to change yet", ErrConflict)
		case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
			return fmt.Errorf("read decision: %w", err)
		}
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("create review: %w", err)
		}
		if err := emitReviewDecided(tx, &r, &sub); err != nil {
			return err
		}
		if change {
			return audit(tx, a, "review.decision_changed", "submission", submissionID,
				map[string]any{"from": prior.Decision, "to": decision})
		}
		return audit(tx, a, "review.decided", "submission", submissionID, map[string]any{"decision": decision})
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// reviewsOf lists a submission's decisions, oldest first, with their authors.
func reviewsOf(db *gorm.DB, submissionID string) ([]Review, error) {
	var rows []Review
	err := db.Table("reviews r").Select("r.*, coalesce(u.email, '') AS reviewer_email").
		Joins("LEFT JOIN users u ON u.id = r.reviewer_id").
		Where("r.submission_id = ?", submissionID).Order("r.created_at, r.id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	return rows, nil
}

// CandidateFacts is what blind review needs to know of a submission's candidate.
type CandidateFacts struct {
	SubmissionID    string
	CandidateName   string
	CandidateEmail  string
	CandidateNumber int
	BlindReview     bool
	Decided         bool
}

// CandidateFactsOf returns the candidate facts of the organisation's
// submissions among ids, keyed by submission id.
func (s *Store) CandidateFactsOf(ctx context.Context, orgID string, ids []string) (map[string]CandidateFacts, error) {
	out := map[string]CandidateFacts{}
	var valid []string
	for _, id := range ids {
		if validUUID(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return out, nil
	}
	var rows []CandidateFacts
	err := s.db.WithContext(ctx).Raw(`SELECT s.id AS submission_id, i.candidate_name, i.candidate_email,
			i.candidate_number, a.blind_review,
			EXISTS (SELECT 1 FROM reviews r WHERE r.submission_id = s.id) AS decided
		FROM submissions s JOIN invitations i ON i.id = s.invitation_id JOIN assessments a ON a.id = s.assessment_id
		WHERE s.org_id = ? AND s.id IN ?`, orgID, valid).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("candidate facts: %w", err)
	}
	for _, r := range rows {
		out[r.SubmissionID] = r
	}
	return out, nil
}
