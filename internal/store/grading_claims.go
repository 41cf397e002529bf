package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/assayhq/assay/internal/snapshot"
	"gorm.io/gorm"
)

// Errors of the grading pipeline's compare-and-set on a submission.
var (
	// ErrBusy: another live worker holds the submission.
	ErrBusy = errors.New("being graded by another worker")
	// ErrFinished: the submission is graded, failed or canceled already.
	ErrFinished = errors.New("already finished")
)

// inProgress are the statuses of a submission a worker is grading.
var inProgress = []string{StatusFetching, StatusBuilding, StatusStarting, StatusChecking}

// Finished reports whether a status is final.
func Finished(status string) bool {
	return status != StatusQueued && !slices.Contains(inProgress, status)
}

// GradeJob is what a worker needs to grade one submission.
type GradeJob struct {
	Submission Submission
	Assessment Assessment
	// Run counts the claims of this submission: above 1, an earlier run was
	// interrupted or the submission is being regraded.
	Run int
}

// ClaimSubmission takes a submission for grading by owner, holding it for
// lease. A queued submission is taken; one in progress is taken only when its
// holder's lease ran out (the holder died), so a task delivered twice is
// graded once. A finished submission gives ErrFinished.
func (s *Store) ClaimSubmission(ctx context.Context, id, owner string, lease time.Duration) (*GradeJob, error) {
	var job GradeJob
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row struct {
			Submission
			LeaseOwner *string
			LeaseUntil *time.Time
		}
		if !validUUID(id) {
			return fmt.Errorf("submission %q: %w", id, ErrNotFound)
		}
		if err := tx.Table("submissions").Clauses(forUpdate).Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err, "claim submission")
		}
		switch {
		case Finished(row.Status):
			return fmt.Errorf("claim submission %s: %w (%s)", id, ErrFinished, row.Status)
		case row.Status != StatusQueued && row.LeaseUntil != nil && time.Now().Before(*row.LeaseUntil) &&
			row.LeaseOwner != nil && *row.LeaseOwner != owner:
			return fmt.Errorf("claim submission %s: %w (%s)", id, ErrBusy, *row.LeaseOwner)
		}
		if err := tx.Exec(`UPDATE submissions SET status = ?, lease_owner = ?, lease_until = now() + make_interval(secs => ?),
			started_at = now(), finished_at = NULL, grade_runs = grade_runs + 1, error = '', updated_at = now() WHERE id = ?`,
			StatusFetching, owner, lease.Seconds(), id).Error; err != nil {
			return fmt.Errorf("claim submission %s: %w", id, err)
		}
		if err := addSubmissionEvent(tx, id, StatusFetching, ""); err != nil {
			return err
		}
		if err := tx.Where("id = ?", id).Take(&job.Submission).Error; err != nil {
			return notFound(err, "claimed submission")
		}
		if err := tx.Raw("SELECT grade_runs FROM submissions WHERE id = ?", id).Scan(&job.Run).Error; err != nil {
			return fmt.Errorf("claim submission %s: %w", id, err)
		}
		return notFoundOrNil(tx.Where("id = ?", job.Submission.AssessmentID).Take(&job.Assessment).Error, "assessment")
	})
	if err != nil {
		return nil, err
	}
	return &job, nil
}

// RenewLease extends owner's hold on a submission and returns its status.
// ErrBusy means the lease was lost (taken over); a status of canceled means
// someone asked the grading to stop.
func (s *Store) RenewLease(ctx context.Context, id, owner string, lease time.Duration) (string, error) {
	var status string
	res := s.db.WithContext(ctx).Raw(`UPDATE submissions SET lease_until = now() + make_interval(secs => ?)
		WHERE id = ? AND lease_owner = ? RETURNING status`, lease.Seconds(), id, owner).Scan(&status)
	if res.Error != nil {
		return "", fmt.Errorf("renew lease on %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return "", fmt.Errorf("renew lease on %s: %w", id, ErrBusy)
	}
	return status, nil
}

// SetSubmissionPhase records progress of a submission owner holds.
func (s *Store) SetSubmissionPhase(ctx context.Context, id, owner, status string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE submissions SET status = ?, updated_at = now()
			WHERE id = ? AND lease_owner = ? AND status IN ? AND status <> ?`,
			status, id, owner, inProgress, status)
		if res.Error != nil {
			return fmt.Errorf("set phase of %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // unchanged, canceled, or no longer ours: the heartbeat notices
		}
		return addSubmissionEvent(tx, id, status, "")
	})
}

// GradeResult is the outcome of one grading run.
type GradeResult struct {
	Status       string // graded | build_failed | start_failed | error
	Score        int
	MaxScore     int
	CommitSHA    string
	Message      string // why, for anything but graded
	Takehome     string
	SuiteVersion string
	Scorecard    json.RawMessage
	// Code is the checkout's snapshot, kept with the run; nil when the
	// fetch failed or the engine took none.
	Code *snapshot.Snapshot
}

// FinishGrading stores the scorecard and the final status of a submission
// owner holds, and releases it. A submission canceled meanwhile stays
// canceled and keeps no scorecard; ErrBusy means another worker took over.
func (s *Store) FinishGrading(ctx context.Context, id, owner string, r GradeResult) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var sub Submission
		var lease struct {
			LeaseOwner *string
			GradeRuns  int // the number of the run that is finishing
		}
		if err := tx.Clauses(forUpdate).Where("id = ?", id).Take(&sub).Error; err != nil {
			return notFound(err, "finish grading")
		}
		if err := tx.Raw("SELECT lease_owner, grade_runs FROM submissions WHERE id = ?", id).Scan(&lease).Error; err != nil {
			return fmt.Errorf("finish grading %s: %w", id, err)
		}
		if lease.LeaseOwner == nil || *lease.LeaseOwner != owner {
			return fmt.Errorf("finish grading %s: %w", id, ErrBusy)
		}
		if sub.Status == StatusCanceled {
			return tx.Exec(`UPDATE submissions SET lease_owner = NULL, lease_until = NULL WHERE id = ?`, id).Error
		}
		if r.Scorecard != nil {
			err := tx.Exec(`INSERT INTO scorecards (org_id, submission_id, takehome, suite_version, status, score, max_score, data)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (submission_id) DO UPDATE SET takehome = EXCLUDED.takehome, suite_version = EXCLUDED.suite_version,
				status = EXCLUDED.status, score = EXCLUDED.score, max_score = EXCLUDED.max_score, data = EXCLUDED.data, created_at = now()`,
				sub.OrgID, id, r.Takehome, r.SuiteVersion, r.Status, r.Score, r.MaxScore, []byte(r.Scorecard)).Error
			if err != nil {
				return fmt.Errorf("store scorecard of %s: %w", id, err)
			}
		}
		var score, maxScore any
		if r.Scorecard != nil {
			score, maxScore = r.Score, r.MaxScore
		}
		if err := tx.Exec(`UPDATE submissions SET status = ?, score = ?, max_score = ?, commit_sha = ?, error = ?,
			finished_at = now(), updated_at = now(), lease_owner = NULL, lease_until = NULL WHERE id = ?`,
			r.Status, score, maxScore, r.CommitSHA, truncate(r.Message, 2000), id).Error; err != nil {
			return fmt.Errorf("finish grading %s: %w", id, err)
		}
		if err := keepRunResult(tx, sub.OrgID, id, lease.GradeRuns, r, score, maxScore); err != nil {
			return err
		}
		// submission.graded / submission.failed and a partner's completion
		// callback, in the same transaction as the result.
		if err := emitSubmissionFinished(tx, id); err != nil {
			return err
		}
		if err := addSubmissionEvent(tx, id, r.Status, r.Message); err != nil {
			return err
		}
		actor := Actor{OrgID: sub.OrgID, Label: "system:worker"}
		return audit(tx, actor, "submission."+r.Status, "submission", id, map[string]any{"score": score, "commit": r.CommitSHA})
	})
}

// ReleaseSubmission gives a submission back to the queue after its grading
// was interrupted (the worker is shutting down): the next delivery takes it.
func (s *Store) ReleaseSubmission(ctx context.Context, id, owner string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE submissions SET status = ?, lease_owner = NULL, lease_until = NULL, updated_at = now()
			WHERE id = ? AND lease_owner = ? AND status IN ?`, StatusQueued, id, owner, inProgress)
		if res.Error != nil {
			return fmt.Errorf("release submission %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return addSubmissionEvent(tx, id, StatusQueued, "interrupted; waiting for another worker")
	})
}
