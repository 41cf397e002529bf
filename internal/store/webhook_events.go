package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/tasks"
	"gorm.io/gorm"
)

// Event types an organisation's webhook endpoints can subscribe to.
const (
	EventInvitationOpened    = "invitation.opened"
	EventSubmissionReceived  = "submission.received"
	EventSubmissionGraded    = "submission.graded"
	EventSubmissionFailed    = "submission.failed"
	EventReviewDecided       = "review.decided"
	EventPing                = "ping" // sent to one endpoint on request, never subscribed to
	CallbackGreenhouse       = "greenhouse"
	ExternalSourceGreenhouse = "greenhouse"
)

// EventTypes lists the types an endpoint may subscribe to.
var EventTypes = []string{EventInvitationOpened, EventSubmissionReceived, EventSubmissionGraded,
	EventSubmissionFailed, EventReviewDecided, EventInterviewScored}

// newEventID makes a stable event id: "evt_" then 6 bytes of milliseconds
// (ids sort by time) and 10 random bytes, base32.
func newEventID() string {
	var b [16]byte
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(time.Now().UnixMilli()))
	copy(b[:6], ms[2:])
	if _, err := rand.Read(b[6:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return "evt_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// emitEvent records an event of the organisation in the caller's transaction
// and, in the same statement, one delivery per enabled endpoint subscribed to
// its type with the outbox row that hands it to the queue. A crash after the
// commit loses nothing: the relay finds the rows.
func emitEvent(tx *gorm.DB, orgID, eventType string, data any) error {
	_, err := insertEvent(tx, orgID, eventType, data)
	return err
}

// insertEvent is emitEvent returning the event id, for callers that add
// deliveries of their own (pings, partner callbacks).
func insertEvent(tx *gorm.DB, orgID, eventType string, data any) (string, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("event %s: %w", eventType, err)
	}
	id := newEventID()
	// One statement (one round trip): the event, its deliveries and their
	// outbox rows. Foreign keys are checked at the end of the statement.
	err = tx.Exec(`WITH e AS (
			INSERT INTO webhook_events (id, org_id, type, data) VALUES (?, ?, ?, ?)),
		d AS (
			INSERT INTO webhook_deliveries (org_id, event_id, endpoint_id)
			SELECT org_id, ?, id FROM webhook_endpoints
			WHERE org_id = ? AND enabled AND ? = ANY(event_types)
			RETURNING id)
		INSERT INTO outbox (task_type, task_id, queue, payload)
		SELECT ?, d.id::text, ?, jsonb_build_object('delivery_id', d.id) FROM d`,
		id, orgID, eventType, raw, id, orgID, eventType, tasks.DeliverWebhook, tasks.QueueWebhooks).Error
	if err != nil {
		return "", fmt.Errorf("event %s: %w", eventType, err)
	}
	return id, nil
}

// addDelivery queues one more delivery of an event: to an endpoint, or to a
// partner's callback URL when endpointID is empty.
func addDelivery(tx *gorm.DB, orgID, eventID, endpointID, callbackURL, callbackKind string) (string, error) {
	var id string
	var err error
	if endpointID != "" {
		err = tx.Raw(`INSERT INTO webhook_deliveries (org_id, event_id, endpoint_id) VALUES (?, ?, ?) RETURNING id`,
			orgID, eventID, endpointID).Scan(&id).Error
	} else {
		err = tx.Raw(`INSERT INTO webhook_deliveries (org_id, event_id, callback_url, callback_kind) VALUES (?, ?, ?, ?) RETURNING id`,
			orgID, eventID, callbackURL, callbackKind).Scan(&id).Error
	}
	if err != nil {
		return "", fmt.Errorf("add delivery of %s: %w", eventID, err)
	}
	if err := addOutbox(tx, tasks.DeliverWebhook, id, tasks.QueueWebhooks, tasks.DeliverPayload{DeliveryID: id}); err != nil {
		return "", err
	}
	return id, nil
}

// SubmissionEventData is the data of the submission.* events. Links to the
// scorecard are added when the message is rendered, from the public URL.
type SubmissionEventData struct {
	SubmissionID string          `json:"submission_id"`
	AssessmentID string          `json:"assessment_id"`
	InvitationID string          `json:"invitation_id"`
	Candidate    EventCandidate  `json:"candidate"`
	External     *EventExternal  `json:"external,omitempty"`
	Attempt      int             `json:"attempt"`
	RepoURL      string          `json:"repo_url"`
	Ref          string          `json:"ref,omitempty"`
	Status       string          `json:"status"`
	Score        *int            `json:"score,omitempty"`
	MaxScore     *int            `json:"max_score,omitempty"`
	Categories   []EventCategory `json:"categories,omitempty"`
	Error        string          `json:"error,omitempty"`
	At           time.Time       `json:"at"`
}

// EventCandidate names the candidate of an event.
type EventCandidate struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// EventExternal is the ATS's own reference of an invitation it sent.
type EventExternal struct {
	Source string `json:"source"`
	ID     string `json:"id"`
}

// EventCategory is one category subtotal of a scorecard.
type EventCategory struct {
	Name     string `json:"name"`
	Score    int    `json:"score"`
	MaxScore int    `json:"max_score"`
}

// newSubmissionEventData is the event data a submission and its invitation
// give, without the scorecard.
func newSubmissionEventData(sub *Submission, inv *Invitation) *SubmissionEventData {
	d := &SubmissionEventData{
		SubmissionID: sub.ID, AssessmentID: sub.AssessmentID, InvitationID: inv.ID,
		Candidate: EventCandidate{Name: inv.CandidateName, Email: inv.CandidateEmail},
		Attempt:   sub.Attempt, RepoURL: sub.RepoURL, Ref: sub.Ref, Status: sub.Status,
		Score: sub.Score, MaxScore: sub.MaxScore, Error: sub.Error, At: time.Now().UTC(),
	}
	if inv.ExternalSource != nil && inv.ExternalID != nil {
		d.External = &EventExternal{Source: *inv.ExternalSource, ID: *inv.ExternalID}
	}
	return d
}

// submissionEventData reads a submission, its invitation and scorecard in tx
// and builds the data of its events.
func submissionEventData(tx *gorm.DB, submissionID string) (*SubmissionEventData, *Invitation, error) {
	var sub Submission
	if err := tx.Where("id = ?", submissionID).Take(&sub).Error; err != nil {
		return nil, nil, notFound(err, "submission of event")
	}
	var inv Invitation
	if err := tx.Where("id = ?", sub.InvitationID).Take(&inv).Error; err != nil {
		return nil, nil, notFound(err, "invitation of event")
	}
	d := newSubmissionEventData(&sub, &inv)
	var sc Scorecard
	switch err := tx.Where("submission_id = ?", sub.ID).Take(&sc).Error; {
	case err == nil:
		var card struct {
			Categories []EventCategory `json:"categories"`
		}
		if err := json.Unmarshal(sc.Data, &card); err != nil {
			return nil, nil, fmt.Errorf("scorecard of %s: %w", sub.ID, err)
		}
		d.Categories = card.Categories
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, nil, fmt.Errorf("scorecard of %s: %w", sub.ID, err)
	}
	return d, &inv, nil
}

// emitSubmissionFinished emits submission.graded or submission.failed for a
// submission whose final status (and scorecard) were just written in tx, and
// completes the test of a partner that sent the invitation once the
// candidate is done (see completePartnerTestIfDone). A canceled submission
// emits nothing. The
// grading pipeline calls it from FinishGrading, after its UPDATE.
func emitSubmissionFinished(tx *gorm.DB, submissionID string) error {
	d, inv, err := submissionEventData(tx, submissionID)
	if err != nil {
		return err
	}
	var eventType string
	switch d.Status {
	case StatusGraded:
		eventType = EventSubmissionGraded
	case StatusBuildFailed, StatusStartFailed, StatusError:
		eventType = EventSubmissionFailed
	default:
		return nil // canceled or not finished: nothing to tell
	}
	if _, err := insertEvent(tx, inv.OrgID, eventType, d); err != nil {
		return err
	}
	return completePartnerTestIfDone(tx, inv, submissionID)
}

// emitSubmissionReceived emits submission.received for a submission just
// created in tx.
func emitSubmissionReceived(tx *gorm.DB, sub *Submission, inv *Invitation) error {
	return emitEvent(tx, inv.OrgID, EventSubmissionReceived, newSubmissionEventData(sub, inv))
}

// InvitationEventData is the data of invitation.opened.
type InvitationEventData struct {
	InvitationID string         `json:"invitation_id"`
	AssessmentID string         `json:"assessment_id"`
	Candidate    EventCandidate `json:"candidate"`
	External     *EventExternal `json:"external,omitempty"`
	OpenedAt     *time.Time     `json:"opened_at"`
	ExpiresAt    *time.Time     `json:"expires_at"`
}

// emitInvitationOpened emits invitation.opened for an invitation opened in tx.
func emitInvitationOpened(tx *gorm.DB, inv *Invitation) error {
	d := InvitationEventData{
		InvitationID: inv.ID, AssessmentID: inv.AssessmentID,
		Candidate: EventCandidate{Name: inv.CandidateName, Email: inv.CandidateEmail},
		OpenedAt:  inv.OpenedAt, ExpiresAt: inv.ExpiresAt,
	}
	if inv.ExternalSource != nil && inv.ExternalID != nil {
		d.External = &EventExternal{Source: *inv.ExternalSource, ID: *inv.ExternalID}
	}
	return emitEvent(tx, inv.OrgID, EventInvitationOpened, d)
}

// ReviewEventData is the data of review.decided.
type ReviewEventData struct {
	ReviewID     string    `json:"review_id"`
	SubmissionID string    `json:"submission_id"`
	AssessmentID string    `json:"assessment_id"`
	InvitationID string    `json:"invitation_id"`
	Decision     string    `json:"decision"`
	Notes        string    `json:"notes"`
	DecidedAt    time.Time `json:"decided_at"`
}

// emitReviewDecided emits review.decided for a review created in tx.
func emitReviewDecided(tx *gorm.DB, r *Review, sub *Submission) error {
	return emitEvent(tx, r.OrgID, EventReviewDecided, ReviewEventData{
		ReviewID: r.ID, SubmissionID: sub.ID, AssessmentID: sub.AssessmentID, InvitationID: sub.InvitationID,
		Decision: r.Decision, Notes: r.Notes, DecidedAt: r.CreatedAt,
	})
}

// EmitEvent records an event that no store change caused (an import, a
// benchmark) with its deliveries, atomically (one statement). It returns
// the event id.
func (s *Store) EmitEvent(ctx context.Context, orgID, eventType string, data any) (string, error) {
	return insertEvent(s.db.WithContext(ctx), orgID, eventType, data)
}
