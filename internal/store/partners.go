package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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
	// Latest is the latest finished submission that did not end in error,
	// else the latest one; nil before the candidate submits.
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
		Order("(finished_at IS NOT NULL AND status NOT IN ('canceled', 'error')) DESC, attempt DESC").Take(&sub).Error
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

// EventPartnerTestCompleted is the internal event a partner's completion
// callback hangs from. No endpoint can subscribe to it (it is not in
// EventTypes): it exists for the delivery log.
const EventPartnerTestCompleted = "partner_test.completed"

// Why a partner's test became complete, as the audit log says.
const (
	doneFinal    = "final submission"
	doneAttempts = "last attempt"
	doneDeadline = "deadline passed"
)

// partnerDoneReason says whether the candidate of a partner's invitation is
// done now that submissionID finished: nothing else of theirs is still being
// graded, and they marked it final, used their last attempt or ran out of
// time. A submission that ended in error (the platform's fault) counts for
// nothing: it neither uses an attempt nor finishes the test. "" is not done.
func partnerDoneReason(tx *gorm.DB, inv *Invitation, submissionID string) (string, error) {
	var row struct {
		Status     string
		Final      bool
		Unfinished bool
		LastUsed   bool
	}
	err := tx.Raw(`SELECT s.status, s.final,
			EXISTS (SELECT 1 FROM submissions o WHERE o.invitation_id = s.invitation_id AND o.finished_at IS NULL) AS unfinished,
			(SELECT count(*) FROM submissions u WHERE u.invitation_id = s.invitation_id AND u.status <> ?) >= a.max_submissions AS last_used
		FROM submissions s JOIN assessments a ON a.id = s.assessment_id WHERE s.id = ?`, StatusError, submissionID).Scan(&row).Error
	if err != nil {
		return "", fmt.Errorf("is the candidate done: %w", err)
	}
	switch {
	case row.Status == StatusError || row.Status == StatusCanceled || row.Unfinished:
		return "", nil
	case row.Final:
		return doneFinal, nil
	case row.LastUsed:
		return doneAttempts, nil
	case inv.ExpiresAt != nil && time.Now().After(*inv.ExpiresAt):
		return doneDeadline, nil
	}
	return "", nil
}

// completePartnerTest marks a partner's invitation complete, once, and
// queues the partner's completion callback (Greenhouse's "mark test as
// completed" PATCH) when it gave a URL. A second call does nothing, so the
// partner is told once however many submissions finish or sweeps run.
func completePartnerTest(tx *gorm.DB, inv *Invitation, submissionID, reason string) error {
	res := tx.Exec(`UPDATE invitations SET partner_completed_at = now() WHERE id = ? AND partner_completed_at IS NULL`, inv.ID)
	if res.Error != nil {
		return fmt.Errorf("complete partner test %s: %w", inv.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil
	}
	if inv.ExternalSource != nil && *inv.ExternalSource == ExternalSourceGreenhouse &&
		inv.ExternalCallback != nil && *inv.ExternalCallback != "" {
		id, err := insertEvent(tx, inv.OrgID, EventPartnerTestCompleted,
			map[string]any{"invitation_id": inv.ID, "submission_id": submissionID, "reason": reason})
		if err != nil {
			return err
		}
		if _, err := addDelivery(tx, inv.OrgID, id, "", *inv.ExternalCallback, CallbackGreenhouse); err != nil {
			return err
		}
	}
	return audit(tx, Actor{OrgID: inv.OrgID, Label: "system:" + *inv.ExternalSource}, "partner_test.completed", "invitation", inv.ID,
		map[string]any{"submission_id": submissionID, "reason": reason})
}

// completePartnerTestIfDone is called when a submission of a partner's
// invitation finished: it completes the test if the candidate is done.
func completePartnerTestIfDone(tx *gorm.DB, inv *Invitation, submissionID string) error {
	if inv.ExternalSource == nil || inv.PartnerCompletedAt != nil {
		return nil
	}
	reason, err := partnerDoneReason(tx, inv, submissionID)
	if err != nil || reason == "" {
		return err
	}
	return completePartnerTest(tx, inv, submissionID, reason)
}

// CompleteExpiredPartnerTests completes the partners' tests whose deadline
// passed with a result to report (a finished submission that did not end in
// error, none still being graded). Several workers may sweep at once: rows
// are locked with SKIP LOCKED. It returns how many were completed.
func (s *Store) CompleteExpiredPartnerTests(ctx context.Context) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var due []Invitation
		err := tx.Raw(`SELECT i.* FROM invitations i
			WHERE i.external_source IS NOT NULL AND i.partner_completed_at IS NULL AND i.expires_at < now() AND i.state <> ?
			AND EXISTS (SELECT 1 FROM submissions s WHERE s.invitation_id = i.id AND s.finished_at IS NOT NULL AND s.status NOT IN (?, ?))
			AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.invitation_id = i.id AND s.finished_at IS NULL)
			ORDER BY i.expires_at LIMIT 100 FOR UPDATE OF i SKIP LOCKED`, InvitationRevoked, StatusError, StatusCanceled).Scan(&due).Error
		if err != nil {
			return fmt.Errorf("expired partner tests: %w", err)
		}
		for i := range due {
			var latest string
			if err := tx.Raw(`SELECT id FROM submissions WHERE invitation_id = ? AND finished_at IS NOT NULL AND status NOT IN (?, ?)
				ORDER BY attempt DESC LIMIT 1`, due[i].ID, StatusError, StatusCanceled).Scan(&latest).Error; err != nil {
				return fmt.Errorf("latest result of %s: %w", due[i].ID, err)
			}
			if err := completePartnerTest(tx, &due[i], latest, doneDeadline); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
