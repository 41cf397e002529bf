package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// SubmissionEvent is one status change of a submission.
type SubmissionEvent struct {
	ID           int64     `json:"id"`
	SubmissionID string    `json:"-"`
	Status       string    `json:"status"`
	Message      string    `json:"message,omitempty"`
	CreatedAt    time.Time `json:"at"`
}

func addSubmissionEvent(tx *gorm.DB, id, status, message string) error {
	e := SubmissionEvent{SubmissionID: id, Status: status, Message: truncate(message, 2000)}
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("record status %s of %s: %w", status, id, err)
	}
	return nil
}

// SubmissionEvents lists the status changes of a submission after the given
// event id, oldest first. The caller has already checked the submission is
// theirs (Submission or CandidateSubmission).
func (s *Store) SubmissionEvents(ctx context.Context, submissionID string, after int64) ([]SubmissionEvent, error) {
	var es []SubmissionEvent
	err := s.db.WithContext(ctx).Where("submission_id = ? AND id > ?", submissionID, after).Order("id").Limit(200).Find(&es).Error
	if err != nil {
		return nil, fmt.Errorf("submission events: %w", err)
	}
	return es, nil
}
