package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// PartnerGreenhouse names Greenhouse's API key.
const PartnerGreenhouse = "greenhouse"

// SetPartnerKey stores (or replaces) an organisation's API key for a
// partner: its hash, to find the organisation of a request, and the key
// sealed by the caller, for callbacks that authenticate with it. The old
// key stops working at once.
func (s *Store) SetPartnerKey(ctx context.Context, a Actor, partner string, hash, sealed []byte) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var createdBy any
		if a.UserID != "" {
			createdBy = a.UserID
		}
		err := tx.Exec(`INSERT INTO partner_api_keys (org_id, partner, key_hash, key_sealed, created_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (org_id, partner) DO UPDATE SET key_hash = EXCLUDED.key_hash, key_sealed = EXCLUDED.key_sealed,
			created_by = EXCLUDED.created_by, created_at = now()`, a.OrgID, partner, hash, sealed, createdBy).Error
		if err != nil {
			return fmt.Errorf("store %s key: %w", partner, err)
		}
		return audit(tx, a, "partner_key.set", "partner_key", partner, nil)
	})
}

// PartnerKeyOrg finds the organisation whose partner key has this hash.
func (s *Store) PartnerKeyOrg(ctx context.Context, partner string, hash []byte) (string, error) {
	var orgID string
	err := s.db.WithContext(ctx).Raw(`SELECT org_id FROM partner_api_keys WHERE partner = ? AND key_hash = ?`,
		partner, hash).Scan(&orgID).Error
	if err != nil {
		return "", fmt.Errorf("find %s key: %w", partner, err)
	}
	if orgID == "" {
		return "", fmt.Errorf("%s key: %w", partner, ErrNotFound)
	}
	return orgID, nil
}

// PartnerKeySealed returns an organisation's sealed partner key.
func (s *Store) PartnerKeySealed(ctx context.Context, orgID, partner string) ([]byte, error) {
	var row struct{ KeySealed []byte }
	res := s.db.WithContext(ctx).Raw(`SELECT key_sealed FROM partner_api_keys WHERE org_id = ? AND partner = ?`,
		orgID, partner).Scan(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("read %s key: %w", partner, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("%s key of %s: %w", partner, orgID, ErrNotFound)
	}
	return row.KeySealed, nil
}

// PartnerTests lists the organisation's assessments a partner may send:
// those not archived, by title.
func (s *Store) PartnerTests(ctx context.Context, orgID string) ([]Assessment, error) {
	var as []Assessment
	err := s.db.WithContext(ctx).Where("org_id = ? AND NOT archived", orgID).Order("title, id").Limit(1000).Find(&as).Error
	if err != nil {
		return nil, fmt.Errorf("list partner tests: %w", err)
	}
	return as, nil
}

// ExternalInvitation finds an invitation a partner sent, by the partner's
// own reference.
func (s *Store) ExternalInvitation(ctx context.Context, orgID, source, externalID string) (*Invitation, error) {
	var inv Invitation
	err := s.db.WithContext(ctx).Where("org_id = ? AND external_source = ? AND external_id = ?", orgID, source, externalID).
		Take(&inv).Error
	if err != nil {
		return nil, notFound(err, "invitation")
	}
	return &inv, nil
}

// PartnerTestStatus is what a partner is told about an invitation it sent.
type PartnerTestStatus struct {
	Invitation Invitation
	Assessment Assessment
	// Latest is the latest finished submission, else the latest one; nil
	// before the candidate submits.
	Latest     *Submission
	Categories []EventCategory
}

// PartnerTest reports on an invitation of the organisation sent by source.
func (s *Store) PartnerTest(ctx context.Context, orgID, source, invitationID string) (*PartnerTestStatus, error) {
	if !validUUID(invitationID) {
		return nil, fmt.Errorf("invitation %q: %w", invitationID, ErrNotFound)
	}
	var st PartnerTestStatus
	db := s.db.WithContext(ctx)
	if err := db.Where("org_id = ? AND id = ? AND external_source = ?", orgID, invitationID, source).Take(&st.Invitation).Error; err != nil {
		return nil, notFound(err, "invitation")
	}
	if err := db.Where("id = ?", st.Invitation.AssessmentID).Take(&st.Assessment).Error; err != nil {
		return nil, notFound(err, "assessment")
	}
	var sub Submission
	err := db.Where("invitation_id = ?", invitationID).
		Order("(finished_at IS NOT NULL AND status NOT IN ('canceled')) DESC, attempt DESC").Take(&sub).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return &st, nil
	case err != nil:
		return nil, fmt.Errorf("latest submission: %w", err)
	}
	st.Latest = &sub
	var sc Scorecard
	switch err := db.Where("submission_id = ?", sub.ID).Take(&sc).Error; {
	case err == nil:
		var card struct {
			Categories []EventCategory `json:"categories"`
		}
		if err := json.Unmarshal(sc.Data, &card); err != nil {
			return nil, fmt.Errorf("scorecard of %s: %w", sub.ID, err)
		}
		st.Categories = card.Categories
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, fmt.Errorf("scorecard of %s: %w", sub.ID, err)
	}
	return &st, nil
}
