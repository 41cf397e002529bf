package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/tasks"
	"gorm.io/gorm"
)

// addOutbox writes a task to hand to the queue, in the caller's transaction.
func addOutbox(tx *gorm.DB, taskType, taskID, queue string, payload any) error {
	raw, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("outbox %s: %w", taskType, err)
	}
	m := OutboxMessage{TaskType: taskType, TaskID: taskID, Queue: queue, Payload: raw}
	if err := tx.Create(&m).Error; err != nil {
		return fmt.Errorf("outbox %s: %w", taskType, err)
	}
	return nil
}

// RelayOutbox hands up to limit pending messages to send, oldest first. A
// message send accepts is marked sent; one it fails is retried after a delay
// that grows with its attempts. Rows are locked with SKIP LOCKED, so several
// relays (one per process) never hand out the same message at once.
// It returns how many messages were sent.
func (s *Store) RelayOutbox(ctx context.Context, limit int, send func(OutboxMessage) error) (int, error) {
	sent := 0
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var batch []OutboxMessage
		err := tx.Raw(`SELECT * FROM outbox WHERE sent_at IS NULL AND available_at <= now()
			ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, limit).Scan(&batch).Error
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		for _, m := range batch {
			if err := send(m); err != nil {
				delay := retryDelay(m.Attempts + 1)
				if err := tx.Exec(`UPDATE outbox SET attempts = attempts + 1, last_error = ?,
					available_at = now() + make_interval(secs => ?) WHERE id = ?`,
					truncate(err.Error(), 500), delay.Seconds(), m.ID).Error; err != nil {
					return fmt.Errorf("mark outbox %d failed: %w", m.ID, err)
				}
				continue
			}
			if err := tx.Exec(`UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ?`, m.ID).Error; err != nil {
				return fmt.Errorf("mark outbox %d sent: %w", m.ID, err)
			}
			sent++
		}
		return nil
	})
	return sent, err
}

// retryDelay backs off from 1 s to at most 1 min: a queue that is down comes
// back within minutes, and nothing is lost meanwhile.
func retryDelay(attempt int) time.Duration {
	d := time.Second << min(attempt-1, 6)
	return min(d, time.Minute)
}

// PendingOutbox counts messages not yet handed to the queue.
func (s *Store) PendingOutbox(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&OutboxMessage{}).Where("sent_at IS NULL").Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count outbox: %w", err)
	}
	return n, nil
}

// RequeueStale writes a new outbox message for each submission the queue
// may have lost: one still queued after olderThan with no message waiting
// (a flushed Redis), or one in progress whose worker's lease ran out (a
// crashed worker). Claiming is a compare-and-set, so a task that was not
// lost after all still grades once. It returns how many were requeued.
func (s *Store) RequeueStale(ctx context.Context, olderThan time.Duration) (int, error) {
	var rows []struct {
		ID        string
		Status    string
		GradeRuns int
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Raw(`SELECT s.id, s.status, s.grade_runs FROM submissions s
			WHERE ((s.status = ? AND s.updated_at < now() - make_interval(secs => ?))
			    OR (s.status IN ? AND s.lease_until < now()))
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.payload->>'submission_id' = s.id::text AND o.sent_at IS NULL)
			ORDER BY s.updated_at LIMIT 100 FOR UPDATE OF s SKIP LOCKED`,
			StatusQueued, olderThan.Seconds(), inProgress).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("find stale submissions: %w", err)
		}
		for _, r := range rows {
			// A queued submission's task keeps its id, so one still waiting in
			// Redis is not doubled; a crashed worker's task may still sit in
			// Redis as active, so its successor gets an id of its own.
			taskID := r.ID
			if r.Status != StatusQueued {
				taskID = fmt.Sprintf("%s:takeover:%d", r.ID, r.GradeRuns)
			}
			if err := addOutbox(tx, tasks.GradeSubmission, taskID, tasks.QueueGrading, tasks.GradePayload{SubmissionID: r.ID}); err != nil {
				return err
			}
			if err := tx.Exec(`UPDATE submissions SET updated_at = now() WHERE id = ?`, r.ID).Error; err != nil {
				return fmt.Errorf("touch submission %s: %w", r.ID, err)
			}
		}
		return nil
	})
	return len(rows), err
}
