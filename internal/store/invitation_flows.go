package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// What a recruiter can change on an invitation after sending it: more
// attempts or more time for this one candidate, a fresh link, and undoing a
// revoke the candidate never saw. Each is audited, and the first two are
// mailed to the candidate in the same transaction.

// Kinds of mail about a change to an invitation; unlike the others, several
// of each may be sent about one invitation.
const (
	MailNewLink = "new_link"
	MailGrant   = "grant"
)

// Grant is what a recruiter gives one candidate on top of the assessment:
// attempts, hours, or both (checked by rules.Grant).
type Grant struct {
	Attempts int
	Hours    int
}

// GrantInvitation adds g to an invitation that is not revoked. Extra hours
// move an opened invitation's deadline (from now, when it has passed, so the
// candidate really gets them); an unopened one gets them when its clock
// starts. compose writes the candidate's mail from the updated invitation.
func (s *Store) GrantInvitation(ctx context.Context, a Actor, id string, g Grant,
	compose func(inv *Invitation, as *Assessment, g Grant) (MailContent, error)) (*Invitation, error) {
	var inv Invitation
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var as Assessment
		if err := lockLiveInvitation(tx, a, id, &inv, &as); err != nil {
			return err
		}
		if inv.ExtraAttempts+g.Attempts > maxExtraAttempts || inv.ExtraHours+g.Hours > maxExtraHours {
			return fmt.Errorf("%w: an invitation may get at most %d extra attempts and %d extra hours in all",
				ErrInvalid, maxExtraAttempts, maxExtraHours)
		}
		changes := map[string]any{"extra_attempts": inv.ExtraAttempts + g.Attempts, "extra_hours": inv.ExtraHours + g.Hours}
		if inv.ExpiresAt != nil && g.Hours > 0 {
			from := *inv.ExpiresAt
			if now := time.Now().UTC(); from.Before(now) {
				from = now
			}
			changes["expires_at"] = from.Add(time.Duration(g.Hours) * time.Hour)
		}
		if err := tx.Model(&inv).Updates(changes).Error; err != nil {
			return fmt.Errorf("grant invitation %s: %w", id, err)
		}
		if err := audit(tx, a, "invitation.granted", "invitation", inv.ID,
			map[string]any{"extra_attempts": g.Attempts, "extra_hours": g.Hours, "expires_at": inv.ExpiresAt}); err != nil {
			return err
		}
		c, err := compose(&inv, &as, g)
		if err != nil {
			return fmt.Errorf("compose grant mail: %w", err)
		}
		return queueMail(tx, inv.OrgID, MailGrant, inv.ID, c)
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// The database's CHECK constraints on invitations say the same.
const (
	maxExtraAttempts = 20
	maxExtraHours    = 720
)

// ReissueInvitationLink gives an invitation that is not revoked a fresh
// token: the old link stops working at once. The new one is mailed and
// returned to be shown this once (only its hash is kept).
func (s *Store) ReissueInvitationLink(ctx context.Context, a Actor, id string,
	compose func(token string, inv *Invitation, as *Assessment) (MailContent, error)) (string, *Invitation, error) {
	var inv Invitation
	token, hash := NewInvitationToken()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var as Assessment
		if err := lockLiveInvitation(tx, a, id, &inv, &as); err != nil {
			return err
		}
		if err := tx.Model(&inv).Update("token_hash", hash).Error; err != nil {
			return fmt.Errorf("reissue link of invitation %s: %w", id, err)
		}
		if err := audit(tx, a, "invitation.link_reissued", "invitation", inv.ID, nil); err != nil {
			return err
		}
		c, err := compose(token, &inv, &as)
		if err != nil {
			return fmt.Errorf("compose new link mail: %w", err)
		}
		return queueMail(tx, inv.OrgID, MailNewLink, inv.ID, c)
	})
	if err != nil {
		return "", nil, err
	}
	return token, &inv, nil
}

// RestoreInvitation undoes a revoke while the candidate had not opened the
// link: it works again as it did. An invitation opened before it was revoked
// stays revoked (issue a new invitation instead).
func (s *Store) RestoreInvitation(ctx context.Context, a Actor, id string) (*Invitation, error) {
	var inv Invitation
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := lockInvitation(tx, a, id, &inv); err != nil {
			return err
		}
		switch {
		case inv.State != InvitationRevoked:
			return nil
		case inv.OpenedAt != nil:
			return fmt.Errorf("%w: the candidate opened the link before it was revoked; send a new invitation instead", ErrConflict)
		}
		if err := tx.Model(&inv).Updates(map[string]any{"state": InvitationPending, "revoked_at": nil}).Error; err != nil {
			return fmt.Errorf("restore invitation %s: %w", id, err)
		}
		return audit(tx, a, "invitation.restored", "invitation", inv.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// Invitation finds one invitation of the organisation.
func (s *Store) Invitation(ctx context.Context, orgID, id string) (*Invitation, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("invitation %q: %w", id, ErrNotFound)
	}
	var inv Invitation
	if err := s.db.WithContext(ctx).Where("org_id = ? AND id = ?", orgID, id).Take(&inv).Error; err != nil {
		return nil, notFound(err, "invitation")
	}
	return &inv, nil
}

// lockInvitation locks one invitation of the actor's organisation.
func lockInvitation(tx *gorm.DB, a Actor, id string, inv *Invitation) error {
	if !validUUID(id) {
		return fmt.Errorf("invitation %q: %w", id, ErrNotFound)
	}
	if err := tx.Clauses(forUpdate).Where("org_id = ? AND id = ?", a.OrgID, id).Take(inv).Error; err != nil {
		return notFound(err, "invitation")
	}
	return nil
}

// lockLiveInvitation locks an invitation that is not revoked, and reads its
// assessment.
func lockLiveInvitation(tx *gorm.DB, a Actor, id string, inv *Invitation, as *Assessment) error {
	if err := lockInvitation(tx, a, id, inv); err != nil {
		return err
	}
	if inv.State == InvitationRevoked {
		return fmt.Errorf("%w: the invitation is revoked; restore it first", ErrConflict)
	}
	if err := tx.Where("id = ?", inv.AssessmentID).Take(as).Error; err != nil {
		return notFound(err, "assessment")
	}
	return nil
}

// InvitationOutcome is where an invitation got to, for the recruiters'
// table: its latest attempt and the latest decision on it.
type InvitationOutcome struct {
	InvitationID string
	SubmissionID string
	Attempt      int
	Status       string
	Score        *int
	MaxScore     *int
	Decision     string // "" until a reviewer decides
}

// InvitationOutcomes finds the outcome of each of the organisation's
// invitations in ids that has a submission.
func (s *Store) InvitationOutcomes(ctx context.Context, orgID string, ids []string) (map[string]*InvitationOutcome, error) {
	out := map[string]*InvitationOutcome{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []InvitationOutcome
	err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT ON (s.invitation_id) s.invitation_id, s.id AS submission_id,
			s.attempt, s.status, s.score, s.max_score,
			COALESCE((SELECT r.decision FROM reviews r WHERE r.submission_id = s.id ORDER BY r.created_at DESC LIMIT 1), '') AS decision
		FROM submissions s WHERE s.org_id = ? AND s.invitation_id IN ?
		ORDER BY s.invitation_id, s.attempt DESC`, orgID, ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("invitation outcomes: %w", err)
	}
	for i := range rows {
		out[rows[i].InvitationID] = &rows[i]
	}
	return out, nil
}

// InvitedEmails reports which of emails already have an invitation to the
// assessment that is not revoked (a CSV upload skips them unless asked).
func (s *Store) InvitedEmails(ctx context.Context, orgID, assessmentID string, emails []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(emails) == 0 || !validUUID(assessmentID) {
		return out, nil
	}
	var found []string
	err := s.db.WithContext(ctx).Model(&Invitation{}).
		Where("org_id = ? AND assessment_id = ? AND state <> ? AND candidate_email IN ?", orgID, assessmentID, InvitationRevoked, emails).
		Distinct().Pluck("candidate_email", &found).Error
	if err != nil {
		return nil, fmt.Errorf("invited emails: %w", err)
	}
	for _, e := range found {
		out[e] = true
	}
	return out, nil
}
