package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/tasks"
	"gorm.io/gorm"
)

// ErrClosed is returned when an invitation no longer takes submissions: the
// deadline passed or no attempts are left.
var ErrClosed = errors.New("closed")

// Submit records a candidate's submission and its grading task in one
// transaction, after checking the deadline and the attempt limit under a lock
// on the invitation (two concurrent submissions cannot both take the last
// attempt).
func (s *Store) Submit(ctx context.Context, token, repoURL, ref string) (*Submission, error) {
	var sub *Submission
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		sub, _, _, err = submit(tx, token, repoURL, ref, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// submit is Submit in the caller's transaction; it also returns the
// invitation (as updated) and the assessment it read, for callers that add
// to the same transaction. Intake is the hottest write path, so it keeps to
// one statement per row it touches. final is the candidate saying this is
// their last submission.
func submit(tx *gorm.DB, token, repoURL, ref string, final bool) (*Submission, *Invitation, *Assessment, error) {
	var inv Invitation
	if err := tx.Clauses(forUpdate).Where("token_hash = ? AND state <> ?", HashToken(token), InvitationRevoked).
		Take(&inv).Error; err != nil {
		return nil, nil, nil, notFound(err, "invitation")
	}
	// Counted after the lock, in a statement of its own: a subquery in the
	// locking SELECT would see the snapshot from before the lock wait, and two
	// concurrent submissions would both take the same attempt number.
	used, made, err := countAttempts(tx, inv.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	var as Assessment
	if err := tx.Where("id = ?", inv.AssessmentID).Take(&as).Error; err != nil {
		return nil, nil, nil, notFound(err, "assessment")
	}
	now := time.Now().UTC()
	if inv.ExpiresAt == nil {
		// Submitting without opening the page first still starts the clock.
		exp := now.Add(time.Duration(inv.HoursAllowed(&as)) * time.Hour)
		inv.OpenedAt, inv.ExpiresAt = &now, &exp
	}
	if now.After(*inv.ExpiresAt) {
		return nil, nil, nil, fmt.Errorf("%w: the deadline passed at %s", ErrClosed, inv.ExpiresAt.Format(time.RFC3339))
	}
	if allowed := inv.AttemptsAllowed(&as); used >= allowed {
		return nil, nil, nil, fmt.Errorf("%w: all %d attempts are used", ErrClosed, allowed)
	}
	var finalSent bool
	if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM submissions WHERE invitation_id = ? AND final AND status <> ?)`,
		inv.ID, StatusError).Scan(&finalSent).Error; err != nil {
		return nil, nil, nil, fmt.Errorf("find a final submission: %w", err)
	}
	if finalSent {
		return nil, nil, nil, fmt.Errorf("%w: an earlier submission was marked as the final one", ErrClosed)
	}
	sub := Submission{
		OrgID: inv.OrgID, AssessmentID: as.ID, InvitationID: inv.ID,
		RepoURL: repoURL, Ref: ref, Attempt: made + 1, Status: StatusQueued, Final: final,
	}
	if err := tx.Create(&sub).Error; err != nil {
		return nil, nil, nil, fmt.Errorf("create submission: %w", err)
	}
	if err := tx.Model(&inv).Updates(map[string]any{
		"state": InvitationSubmitted, "opened_at": inv.OpenedAt, "expires_at": inv.ExpiresAt,
	}).Error; err != nil {
		return nil, nil, nil, fmt.Errorf("mark invitation submitted: %w", err)
	}
	inv.State = InvitationSubmitted
	if err := addOutbox(tx, tasks.GradeSubmission, sub.ID, tasks.QueueGrading, tasks.GradePayload{SubmissionID: sub.ID}); err != nil {
		return nil, nil, nil, err
	}
	if err := emitSubmissionReceived(tx, &sub, &inv); err != nil {
		return nil, nil, nil, err
	}
	if err := addSubmissionEvent(tx, sub.ID, StatusQueued, ""); err != nil {
		return nil, nil, nil, err
	}
	actor := Actor{OrgID: inv.OrgID, Label: "candidate:" + inv.ID}
	if err := audit(tx, actor, "submission.received", "submission", sub.ID,
		map[string]any{"repo_url": repoURL, "ref": ref, "attempt": sub.Attempt, "final": final}); err != nil {
		return nil, nil, nil, err
	}
	return &sub, &inv, &as, nil
}

// countAttempts counts an invitation's submissions: used are those that
// count against its attempts (all but the platform's failures, status
// error: the candidate is not charged for them), made is every one (the
// next attempt's number follows it).
func countAttempts(tx *gorm.DB, invitationID string) (used, made int, err error) {
	var row struct{ Used, Made int }
	if err := tx.Raw(`SELECT count(*) FILTER (WHERE status <> ?) AS used, count(*) AS made
		FROM submissions WHERE invitation_id = ?`, StatusError, invitationID).Scan(&row).Error; err != nil {
		return 0, 0, fmt.Errorf("count attempts: %w", err)
	}
	return row.Used, row.Made, nil
}

// ShareScorecard shares a graded submission's full scorecard with its
// candidate: every check, hidden ones too (grading's ForCandidate decides
// what that shows). Sharing again changes nothing.
func (s *Store) ShareScorecard(ctx context.Context, a Actor, id string) (*Submission, error) {
	var sub Submission
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := lockSubmission(tx, a.OrgID, id, &sub); err != nil {
			return err
		}
		if sub.Status != StatusGraded {
			return fmt.Errorf("%w: the submission is %s; only a graded scorecard can be shared", ErrConflict, sub.Status)
		}
		if sub.SharedAt != nil {
			return nil
		}
		now := time.Now().UTC()
		if err := tx.Model(&sub).Update("shared_at", now).Error; err != nil {
			return fmt.Errorf("share scorecard %s: %w", id, err)
		}
		return audit(tx, a, "submission.scorecard_shared", "submission", id, nil)
	})
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// SubmissionFilter narrows a list of submissions.
type SubmissionFilter struct {
	AssessmentID string
	Status       string
}

// Submissions lists the organisation's submissions, newest first.
func (s *Store) Submissions(ctx context.Context, orgID string, f SubmissionFilter, p Page) ([]Submission, string, error) {
	q := s.db.WithContext(ctx).Model(&Submission{}).Where("org_id = ?", orgID)
	if f.AssessmentID != "" {
		if !validUUID(f.AssessmentID) {
			return nil, "", nil
		}
		q = q.Where("assessment_id = ?", f.AssessmentID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	rows, next, err := paginate(q, "submissions", p, func(s *Submission) cursor { return cursor{s.CreatedAt, s.ID} })
	if err != nil {
		return nil, "", fmt.Errorf("list submissions: %w", err)
	}
	return rows, next, nil
}

// SubmissionDetail is a submission with what reviewers read about it.
type SubmissionDetail struct {
	Submission Submission
	Invitation Invitation
	Scorecard  json.RawMessage // nil until graded
	Reviews    []Review        // decisions, oldest first: the last one is in force
	// CandidateNumber is the candidate's number within the assessment, for blind review.
	CandidateNumber int
}

// Decision is the decision in force, or nil before one is recorded.
func (d *SubmissionDetail) Decision() *Review {
	if len(d.Reviews) == 0 {
		return nil
	}
	return &d.Reviews[len(d.Reviews)-1]
}

// Submission finds one submission of the organisation with its scorecard and reviews.
func (s *Store) Submission(ctx context.Context, orgID, id string) (*SubmissionDetail, error) {
	var d SubmissionDetail
	sub, err := s.submissionOf(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	d.Submission = *sub
	db := s.db.WithContext(ctx)
	if err := db.Where("id = ?", d.Submission.InvitationID).Take(&d.Invitation).Error; err != nil {
		return nil, notFound(err, "invitation of submission")
	}
	var sc Scorecard
	switch err := db.Where("submission_id = ?", id).Take(&sc).Error; {
	case err == nil:
		d.Scorecard = sc.Data
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, fmt.Errorf("scorecard: %w", err)
	}
	if d.Reviews, err = reviewsOf(db, id); err != nil {
		return nil, err
	}
	if err := db.Raw("SELECT candidate_number FROM invitations WHERE id = ?", d.Invitation.ID).
		Scan(&d.CandidateNumber).Error; err != nil {
		return nil, fmt.Errorf("candidate number: %w", err)
	}
	return &d, nil
}

// submissionOf finds one submission of the organisation.
func (s *Store) submissionOf(ctx context.Context, orgID, id string) (*Submission, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("submission %q: %w", id, ErrNotFound)
	}
	var sub Submission
	if err := s.db.WithContext(ctx).Where("org_id = ? AND id = ?", orgID, id).Take(&sub).Error; err != nil {
		return nil, notFound(err, "submission")
	}
	return &sub, nil
}

// CandidateSubmission finds a submission made through the given token.
func (s *Store) CandidateSubmission(ctx context.Context, token, id string) (*SubmissionDetail, *Assessment, error) {
	var d SubmissionDetail
	var as Assessment
	if !validUUID(id) {
		return nil, nil, fmt.Errorf("submission %q: %w", id, ErrNotFound)
	}
	db := s.db.WithContext(ctx)
	if err := db.Where("token_hash = ? AND state <> ?", HashToken(token), InvitationRevoked).Take(&d.Invitation).Error; err != nil {
		return nil, nil, notFound(err, "invitation")
	}
	if err := db.Where("invitation_id = ? AND id = ?", d.Invitation.ID, id).Take(&d.Submission).Error; err != nil {
		return nil, nil, notFound(err, "submission")
	}
	if err := db.Where("id = ?", d.Submission.AssessmentID).Take(&as).Error; err != nil {
		return nil, nil, notFound(err, "assessment")
	}
	var sc Scorecard
	switch err := db.Where("submission_id = ?", id).Take(&sc).Error; {
	case err == nil:
		d.Scorecard = sc.Data
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, nil, fmt.Errorf("scorecard: %w", err)
	}
	return &d, &as, nil
}

// SubmissionCounts counts submissions by status, for metrics.
func (s *Store) SubmissionCounts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	if err := s.db.WithContext(ctx).Model(&Submission{}).Select("status, count(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count submissions: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// RequestRegrade queues a finished submission again on the regrade queue.
func (s *Store) RequestRegrade(ctx context.Context, a Actor, id string) (*Submission, error) {
	var sub Submission
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := lockSubmission(tx, a.OrgID, id, &sub); err != nil {
			return err
		}
		if !Finished(sub.Status) {
			return fmt.Errorf("%w: the submission is %s; wait until it finishes or cancel it", ErrConflict, sub.Status)
		}
		var runs int
		if err := tx.Raw("SELECT grade_runs FROM submissions WHERE id = ?", id).Scan(&runs).Error; err != nil {
			return fmt.Errorf("regrade %s: %w", id, err)
		}
		if err := tx.Model(&sub).Updates(map[string]any{"status": StatusQueued, "error": "", "updated_at": time.Now().UTC()}).Error; err != nil {
			return fmt.Errorf("regrade %s: %w", id, err)
		}
		taskID := fmt.Sprintf("%s:regrade:%d", id, runs)
		if err := addOutbox(tx, tasks.GradeSubmission, taskID, tasks.QueueRegrade, tasks.GradePayload{SubmissionID: id}); err != nil {
			return err
		}
		if err := addSubmissionEvent(tx, id, StatusQueued, "regrade requested"); err != nil {
			return err
		}
		return audit(tx, a, "submission.regrade_requested", "submission", id, nil)
	})
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// CancelSubmission stops a queued or running submission; a worker grading it
// notices at its next heartbeat and kills the sandbox.
func (s *Store) CancelSubmission(ctx context.Context, a Actor, id string) (*Submission, error) {
	var sub Submission
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := lockSubmission(tx, a.OrgID, id, &sub); err != nil {
			return err
		}
		if Finished(sub.Status) {
			return fmt.Errorf("%w: the submission already finished (%s)", ErrConflict, sub.Status)
		}
		now := time.Now().UTC()
		if err := tx.Model(&sub).Updates(map[string]any{"status": StatusCanceled, "finished_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("cancel %s: %w", id, err)
		}
		if err := addSubmissionEvent(tx, id, StatusCanceled, "canceled by "+a.Label); err != nil {
			return err
		}
		return audit(tx, a, "submission.canceled", "submission", id, nil)
	})
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// InvitationSubmissions lists the attempts made through an invitation,
// newest first, for the candidate's own page (the caller opened the
// invitation with its token).
func (s *Store) InvitationSubmissions(ctx context.Context, invitationID string) ([]Submission, error) {
	var rows []Submission
	if err := s.db.WithContext(ctx).Where("invitation_id = ?", invitationID).Order("attempt DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("submissions of invitation: %w", err)
	}
	return rows, nil
}

// lockSubmission loads one submission of the organisation for update: the
// changes a person asks for (share, regrade, cancel) hold it until they commit.
func lockSubmission(tx *gorm.DB, orgID, id string, sub *Submission) error {
	if !validUUID(id) {
		return fmt.Errorf("submission %q: %w", id, ErrNotFound)
	}
	return notFoundOrNil(tx.Clauses(forUpdate).Where("org_id = ? AND id = ?", orgID, id).Take(sub).Error, "submission")
}
