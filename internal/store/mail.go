package store

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/tasks"
	"gorm.io/gorm"
)

// Kinds of mail Assay sends to candidates.
const (
	MailInvitation = "invitation"
	MailReminder   = "reminder"
	MailReceipt    = "receipt"
)

// Mail statuses: queued until the worker takes it; sent once the SMTP
// server accepted it; held when no SMTP server is configured (the admin
// page lists what would have been sent).
const (
	MailQueued = "queued"
	MailSent   = "sent"
	MailHeld   = "held"
)

// Mail is one message to a candidate.
type Mail struct {
	ID        string `gorm:"primaryKey;default:gen_random_uuid()"`
	OrgID     string
	Kind      string
	SubjectID string
	ToAddr    string
	Subject   string
	TextBody  string
	HTMLBody  string `gorm:"column:html_body"`
	Status    string
	Attempts  int
	LastError string
	CreatedAt time.Time
	SentAt    *time.Time
}

// TableName maps Mail to mail_messages.
func (Mail) TableName() string { return "mail_messages" }

// MailContent is a composed message.
type MailContent struct {
	To, Subject, Text, HTML string
}

// queueMail writes a message and its mail:send task in the caller's
// transaction. A message of the same kind about the same object is written
// once (a second one is dropped), except a new link or a grant, which may be
// sent again (the partial unique index says which kinds are once only).
func queueMail(tx *gorm.DB, orgID, kind, subjectID string, c MailContent) error {
	var ids []string
	err := tx.Raw(`INSERT INTO mail_messages (org_id, kind, subject_id, to_addr, subject, text_body, html_body)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, subject_id) WHERE kind IN ('invitation', 'reminder', 'receipt') DO NOTHING RETURNING id`,
		orgID, kind, subjectID, c.To, c.Subject, c.Text, c.HTML).Scan(&ids).Error
	if err != nil {
		return fmt.Errorf("queue %s mail: %w", kind, err)
	}
	if len(ids) == 0 {
		return nil
	}
	return addOutbox(tx, tasks.SendMail, ids[0], tasks.QueueDefault, tasks.MailPayload{MailID: ids[0]})
}

// InviteWithMail creates an invitation (CreateInvitation's rules and audit)
// and queues its invitation mail in the same transaction, so an invitation
// never exists without its message. compose gets the link's token, which is
// not kept anywhere else.
func (s *Store) InviteWithMail(ctx context.Context, a Actor, inv *Invitation,
	compose func(token string, as *Assessment) (MailContent, error)) (string, error) {
	var token string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		// CreateInvitation's own transaction becomes a savepoint of this one.
		if token, err = (&Store{db: tx}).CreateInvitation(ctx, a, inv); err != nil {
			return err
		}
		var as Assessment
		if err := tx.Where("id = ?", inv.AssessmentID).Take(&as).Error; err != nil {
			return notFound(err, "assessment")
		}
		c, err := compose(token, &as)
		if err != nil {
			return fmt.Errorf("compose invitation mail: %w", err)
		}
		return queueMail(tx, a.OrgID, MailInvitation, inv.ID, c)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// InviteAllWithMail invites every candidate or none (one transaction): a
// failure part-way creates nothing, so no one-time link is made and lost.
// It returns the tokens in the order of invs.
func (s *Store) InviteAllWithMail(ctx context.Context, a Actor, invs []*Invitation,
	compose func(inv *Invitation, token string, as *Assessment) (MailContent, error)) ([]string, error) {
	tokens := make([]string, len(invs))
	err := s.tx(ctx, func(tx *gorm.DB) error {
		for i, inv := range invs {
			token, err := (&Store{db: tx}).InviteWithMail(ctx, a, inv, func(token string, as *Assessment) (MailContent, error) {
				return compose(inv, token, as)
			})
			if err != nil {
				return fmt.Errorf("invite %s: %w", inv.CandidateEmail, err)
			}
			tokens[i] = token
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tokens, nil
}

// SubmitWithReceipt records a submission (Submit's rules, lock and outbox
// row) and queues the candidate's receipt in the same transaction. final is
// the candidate saying this is their last submission.
func (s *Store) SubmitWithReceipt(ctx context.Context, token, repoURL, ref string, final bool,
	compose func(sub *Submission, inv *Invitation, as *Assessment) (MailContent, error)) (*Submission, error) {
	var sub *Submission
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var inv *Invitation
		var as *Assessment
		var err error
		if sub, inv, as, err = submit(tx, token, repoURL, ref, final); err != nil {
			return err
		}
		c, err := compose(sub, inv, as)
		if err != nil {
			return fmt.Errorf("compose receipt: %w", err)
		}
		return queueMail(tx, sub.OrgID, MailReceipt, sub.ID, c)
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// reminderWindow is how long before a deadline candidates are reminded.
const reminderWindow = 24 * time.Hour

// QueueReminders queues a reminder for every opened invitation (opened, not
// yet submitted) whose deadline falls within the next 24 hours, once per
// invitation. Invitations whose whole window is shorter than that get none:
// the reminder would arrive with the invitation. Several workers may sweep
// at once: rows are locked with SKIP LOCKED and the mail is unique per
// invitation. It returns how many were queued.
func (s *Store) QueueReminders(ctx context.Context, compose func(inv *Invitation, as *Assessment) (MailContent, error)) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var due []Invitation
		err := tx.Raw(`SELECT i.* FROM invitations i
			WHERE i.state = ? AND i.expires_at > now() AND i.expires_at <= now() + make_interval(secs => ?)
			AND i.opened_at < i.expires_at - make_interval(secs => ?)
			AND NOT EXISTS (SELECT 1 FROM mail_messages m WHERE m.kind = ? AND m.subject_id = i.id)
			ORDER BY i.expires_at LIMIT 100 FOR UPDATE OF i SKIP LOCKED`,
			InvitationOpened, reminderWindow.Seconds(), reminderWindow.Seconds(), MailReminder).Scan(&due).Error
		if err != nil {
			return fmt.Errorf("find invitations to remind: %w", err)
		}
		for i := range due {
			var as Assessment
			if err := tx.Where("id = ?", due[i].AssessmentID).Take(&as).Error; err != nil {
				return notFound(err, "assessment")
			}
			c, err := compose(&due[i], &as)
			if err != nil {
				return fmt.Errorf("compose reminder: %w", err)
			}
			if err := queueMail(tx, due[i].OrgID, MailReminder, due[i].ID, c); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// MailByID finds a message for the worker that delivers it.
func (s *Store) MailByID(ctx context.Context, id string) (*Mail, error) {
	var m Mail
	if !validUUID(id) {
		return nil, fmt.Errorf("mail %q: %w", id, ErrNotFound)
	}
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&m).Error; err != nil {
		return nil, notFound(err, "mail")
	}
	return &m, nil
}

// MarkMailSent records a delivery and clears the bodies: an invitation's
// carries the candidate's secret link, which has no business staying here.
func (s *Store) MarkMailSent(ctx context.Context, id string) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE mail_messages SET status = ?, sent_at = now(), attempts = attempts + 1,
		last_error = '', text_body = '', html_body = '' WHERE id = ?`, MailSent, id).Error
	if err != nil {
		return fmt.Errorf("mark mail %s sent: %w", id, err)
	}
	return nil
}

// MarkMailHeld records that there was no SMTP server to send a message to;
// it stays readable on the admin page.
func (s *Store) MarkMailHeld(ctx context.Context, id string) error {
	if err := s.db.WithContext(ctx).Exec(`UPDATE mail_messages SET status = ? WHERE id = ? AND status = ?`,
		MailHeld, id, MailQueued).Error; err != nil {
		return fmt.Errorf("mark mail %s held: %w", id, err)
	}
	return nil
}

// MarkMailFailed records a failed attempt; the queue retries it.
func (s *Store) MarkMailFailed(ctx context.Context, id string, cause error) error {
	if err := s.db.WithContext(ctx).Exec(`UPDATE mail_messages SET attempts = attempts + 1, last_error = ? WHERE id = ?`,
		truncate(cause.Error(), 500), id).Error; err != nil {
		return fmt.Errorf("mark mail %s failed: %w", id, err)
	}
	return nil
}

// MailOutbox lists the organisation's mail, newest first.
func (s *Store) MailOutbox(ctx context.Context, orgID string, p Page) ([]Mail, string, error) {
	q := s.db.WithContext(ctx).Model(&Mail{}).Where("org_id = ?", orgID)
	rows, next, err := paginate(q, "mail_messages", p, func(m *Mail) cursor { return cursor{m.CreatedAt, m.ID} })
	if err != nil {
		return nil, "", fmt.Errorf("list mail: %w", err)
	}
	return rows, next, nil
}
