package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// NewInvitationToken makes the secret a candidate's link carries (32 random
// bytes) and the hash that is all the database keeps of it.
func NewInvitationToken() (token string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is how a presented token is looked up.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateInvitation invites a candidate to an active assessment of the actor's
// organisation and returns the token for the link, which is not kept.
func (s *Store) CreateInvitation(ctx context.Context, a Actor, inv *Invitation) (string, error) {
	token, hash := NewInvitationToken()
	inv.OrgID = a.OrgID
	inv.TokenHash = hash
	inv.State = InvitationPending
	if a.UserID != "" {
		inv.CreatedBy = &a.UserID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var as Assessment
		if !validUUID(inv.AssessmentID) {
			return fmt.Errorf("assessment %q: %w", inv.AssessmentID, ErrNotFound)
		}
		if err := tx.Where("org_id = ? AND id = ?", a.OrgID, inv.AssessmentID).Take(&as).Error; err != nil {
			return notFound(err, "assessment")
		}
		if as.Archived {
			return fmt.Errorf("%w: the assessment is archived; unarchive it to invite candidates", ErrConflict)
		}
		if err := tx.Create(inv).Error; err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("%w: an invitation with this external id already exists", ErrConflict)
			}
			return fmt.Errorf("create invitation: %w", err)
		}
		return audit(tx, a, "invitation.created", "invitation", inv.ID,
			map[string]any{"assessment_id": inv.AssessmentID, "candidate_email": inv.CandidateEmail})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// InvitationFilter narrows a list of invitations.
type InvitationFilter struct {
	AssessmentID string
	State        string
}

// Invitations lists the organisation's invitations, newest first.
func (s *Store) Invitations(ctx context.Context, orgID string, f InvitationFilter, p Page) ([]Invitation, string, error) {
	q := s.db.WithContext(ctx).Model(&Invitation{}).Where("org_id = ?", orgID)
	if f.AssessmentID != "" {
		if !validUUID(f.AssessmentID) {
			return nil, "", nil
		}
		q = q.Where("assessment_id = ?", f.AssessmentID)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	rows, next, err := paginate(q, "invitations", p, func(i *Invitation) cursor { return cursor{i.CreatedAt, i.ID} })
	if err != nil {
		return nil, "", fmt.Errorf("list invitations: %w", err)
	}
	return rows, next, nil
}

// RevokeInvitation closes an invitation; its link stops working.
func (s *Store) RevokeInvitation(ctx context.Context, a Actor, id string) (*Invitation, error) {
	var inv Invitation
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if !validUUID(id) {
			return fmt.Errorf("invitation %q: %w", id, ErrNotFound)
		}
		if err := tx.Clauses(forUpdate).Where("org_id = ? AND id = ?", a.OrgID, id).Take(&inv).Error; err != nil {
			return notFound(err, "invitation")
		}
		if inv.State == InvitationRevoked {
			return nil
		}
		now := time.Now().UTC()
		if err := tx.Model(&inv).Updates(map[string]any{"state": InvitationRevoked, "revoked_at": now}).Error; err != nil {
			return fmt.Errorf("revoke invitation: %w", err)
		}
		return audit(tx, a, "invitation.revoked", "invitation", inv.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// CandidateView is what a candidate's token opens: the invitation and its
// assessment, with the attempts used (the platform's failures not counted)
// and allowed (the assessment's and those granted).
type CandidateView struct {
	Invitation      Invitation
	Assessment      Assessment
	Attempts        int
	AttemptsAllowed int
}

// OpenInvitation finds the invitation of a token and, on first use, starts
// the candidate's clock. A revoked invitation is not found.
func (s *Store) OpenInvitation(ctx context.Context, token string) (*CandidateView, error) {
	var v CandidateView
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).Where("token_hash = ? AND state <> ?", HashToken(token), InvitationRevoked).
			Take(&v.Invitation).Error; err != nil {
			return notFound(err, "invitation")
		}
		if err := tx.Where("id = ?", v.Invitation.AssessmentID).Take(&v.Assessment).Error; err != nil {
			return notFound(err, "assessment")
		}
		if v.Invitation.OpenedAt == nil {
			now := time.Now().UTC()
			expires := now.Add(time.Duration(v.Invitation.HoursAllowed(&v.Assessment)) * time.Hour)
			if err := tx.Model(&v.Invitation).Updates(map[string]any{
				"state": InvitationOpened, "opened_at": now, "expires_at": expires,
			}).Error; err != nil {
				return fmt.Errorf("open invitation: %w", err)
			}
			actor := Actor{OrgID: v.Invitation.OrgID, Label: "candidate:" + v.Invitation.ID}
			if err := audit(tx, actor, "invitation.opened", "invitation", v.Invitation.ID, nil); err != nil {
				return err
			}
			if err := emitInvitationOpened(tx, &v.Invitation); err != nil {
				return err
			}
		}
		used, _, err := countAttempts(tx, v.Invitation.ID)
		if err != nil {
			return err
		}
		v.Attempts, v.AttemptsAllowed = used, v.Invitation.AttemptsAllowed(&v.Assessment)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}
