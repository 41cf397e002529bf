package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/hibiken/asynq"
)

// Store is what delivering mail needs of the platform database.
type Store interface {
	MailByID(ctx context.Context, id string) (*store.Mail, error)
	MarkMailSent(ctx context.Context, id string) error
	MarkMailHeld(ctx context.Context, id string) error
	MarkMailFailed(ctx context.Context, id string, cause error) error
	QueueReminders(ctx context.Context, compose func(inv *store.Invitation, as *store.Assessment) (store.MailContent, error)) (int, error)
}

// Deliverer is the worker's side of mail: it sends queued messages and
// sweeps for deadline reminders.
type Deliverer struct {
	Store Store
	// Sender is nil without ASSAY_SMTP_URL: messages are then held for the
	// admin page instead of sent.
	Sender *Sender
}

// HandleTask sends the message of one mail:send task. An error makes the
// queue retry the task with backoff; a message already sent is not sent again.
func (d *Deliverer) HandleTask(ctx context.Context, t *asynq.Task) error {
	var p tasks.MailPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.MailID == "" {
		return fmt.Errorf("mail task with a bad payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	m, err := d.Store.MailByID(ctx, p.MailID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // its organisation was deleted meanwhile
	}
	if err != nil {
		return err
	}
	if m.Status != store.MailQueued {
		return nil
	}
	if d.Sender == nil {
		return d.Store.MarkMailHeld(ctx, m.ID)
	}
	err = d.Sender.Send(ctx, Message{To: m.ToAddr, Subject: m.Subject, Text: m.TextBody, HTML: m.HTMLBody})
	if err != nil {
		if merr := d.Store.MarkMailFailed(ctx, m.ID, err); merr != nil {
			slog.Warn("record mail failure", "mail", m.ID, "err", merr)
		}
		return fmt.Errorf("send %s mail %s: %w", m.Kind, m.ID, err)
	}
	return d.Store.MarkMailSent(ctx, m.ID)
}

// RemindEvery sweeps for reminders to queue every interval until ctx ends.
func (d *Deliverer) RemindEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := d.Store.QueueReminders(ctx, Reminder); err != nil {
			slog.Warn("queue deadline reminders", "err", err)
		} else if n > 0 {
			slog.Info("queued deadline reminders", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
