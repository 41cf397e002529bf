package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/tasks"
	"gorm.io/gorm"
)

// KeptRuns is how many finished runs of a submission keep their results: enough
// to compare a few regrades, few enough that a submission's storage stays bounded.
const KeptRuns = 10

// RunResult is what one finished grading run left: its verdict and its scorecard
// (phases with their output tails, the schema dump, the evidence of each check).
type RunResult struct {
	Run       int             `json:"run"`
	Status    string          `json:"status"`
	Score     *int            `json:"score"`
	MaxScore  *int            `json:"max_score"`
	CommitSHA string          `json:"commit_sha"`
	Message   string          `json:"message,omitempty"`
	Scorecard json.RawMessage `json:"scorecard,omitempty"`
	CreatedAt time.Time       `json:"finished_at"`
}

// keepRunResult records run number run, which just finished submission id, and drops
// the oldest beyond KeptRuns. A result recorded already (a retried finish) is left as
// it is.
func keepRunResult(tx *gorm.DB, orgID, id string, run int, r GradeResult, score, maxScore any) error {
	var card any
	if r.Scorecard != nil {
		card = []byte(r.Scorecard)
	}
	err := tx.Exec(`INSERT INTO run_results (org_id, submission_id, run, status, score, max_score, commit_sha, message, scorecard)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (submission_id, run) DO NOTHING`,
		orgID, id, max(run, 1), r.Status, score, maxScore, r.CommitSHA, truncate(r.Message, 2000), card).Error
	if err != nil {
		return fmt.Errorf("keep run result of %s: %w", id, err)
	}
	if r.Code != nil {
		if err := keepCodeSnapshot(tx, orgID, id, run, r.Code); err != nil {
			return err
		}
		// The similarity task compares the snapshot once it is committed
		// (outbox); its id names the run, and the task is idempotent.
		err := addOutbox(tx, tasks.CompareSubmission, fmt.Sprintf("similarity:%s:%d", id, max(run, 1)), tasks.QueueSimilarity,
			tasks.SimilarityPayload{SubmissionID: id, Run: max(run, 1)})
		if err != nil {
			return err
		}
	}
	if run <= KeptRuns {
		return nil // run numbers are unique: there are no more than KeptRuns results yet
	}
	err = tx.Exec(`DELETE FROM run_results WHERE submission_id = ? AND run NOT IN
		(SELECT run FROM run_results WHERE submission_id = ? ORDER BY run DESC LIMIT ?)`, id, id, KeptRuns).Error
	if err != nil {
		return fmt.Errorf("drop old run results of %s: %w", id, err)
	}
	return nil
}

// SubmissionRuns lists the kept runs of a submission of the organisation, newest
// first, without their scorecards.
func (s *Store) SubmissionRuns(ctx context.Context, orgID, submissionID string) ([]RunResult, error) {
	if _, err := s.submissionOf(ctx, orgID, submissionID); err != nil {
		return nil, err
	}
	var runs []RunResult
	err := s.db.WithContext(ctx).Raw(`SELECT run, status, score, max_score, commit_sha, message, created_at
		FROM run_results WHERE org_id = ? AND submission_id = ? ORDER BY run DESC`, orgID, submissionID).Scan(&runs).Error
	if err != nil {
		return nil, fmt.Errorf("list runs of %s: %w", submissionID, err)
	}
	return runs, nil
}

// SubmissionRun returns one kept run of a submission of the organisation, with its
// scorecard.
func (s *Store) SubmissionRun(ctx context.Context, orgID, submissionID string, run int) (*RunResult, error) {
	if _, err := s.submissionOf(ctx, orgID, submissionID); err != nil {
		return nil, err
	}
	var rows []RunResult
	err := s.db.WithContext(ctx).Raw(`SELECT run, status, score, max_score, commit_sha, message, scorecard, created_at
		FROM run_results WHERE org_id = ? AND submission_id = ? AND run = ?`, orgID, submissionID, run).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("run %d of %s: %w", run, submissionID, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("run %d of submission %s: %w (only the last %d runs are kept)", run, submissionID, ErrNotFound, KeptRuns)
	}
	return &rows[0], nil
}
