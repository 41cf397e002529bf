package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/tasks"
	"gorm.io/gorm"
)

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one event sent to one endpoint (or partner callback),
// with its attempts.
type WebhookDelivery struct {
	ID             string           `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	OrgID          string           `json:"-"`
	EventID        string           `json:"event_id"`
	EventType      string           `gorm:"->;-:migration" json:"event_type"`
	EndpointID     *string          `json:"endpoint_id,omitempty"`
	CallbackKind   *string          `json:"callback_kind,omitempty"`
	State          string           `json:"state"`
	Attempts       int              `json:"attempts"`
	LastStatusCode *int             `json:"last_status_code,omitempty"`
	LastError      string           `json:"last_error,omitempty"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
	FinishedAt     *time.Time       `json:"finished_at,omitempty"`
	AttemptLog     []WebhookAttempt `gorm:"-" json:"attempt_log"`
}

// WebhookAttempt is one try at a delivery and what the receiver answered.
type WebhookAttempt struct {
	ID          int64     `gorm:"primaryKey" json:"-"`
	DeliveryID  string    `json:"-"`
	AttemptedAt time.Time `json:"attempted_at"`
	StatusCode  *int      `json:"status_code"`
	Error       string    `json:"error,omitempty"`
	Response    string    `json:"response"`
	DurationMS  int       `gorm:"column:duration_ms" json:"duration_ms"`
}

func takeDelivery(tx *gorm.DB, orgID, id string) (*WebhookDelivery, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("delivery %q: %w", id, ErrNotFound)
	}
	var d WebhookDelivery
	err := tx.Table("webhook_deliveries").Select("webhook_deliveries.*, e.type AS event_type").
		Joins("JOIN webhook_events e ON e.id = webhook_deliveries.event_id").
		Where("webhook_deliveries.org_id = ? AND webhook_deliveries.id = ?", orgID, id).Take(&d).Error
	if err != nil {
		return nil, notFound(err, "delivery")
	}
	return &d, nil
}

// WebhookDeliveries lists an endpoint's deliveries, newest first, each with
// its attempts.
func (s *Store) WebhookDeliveries(ctx context.Context, orgID, endpointID string, p Page) ([]WebhookDelivery, string, error) {
	if _, err := takeEndpoint(s.db.WithContext(ctx), orgID, endpointID, false); err != nil {
		return nil, "", err
	}
	return s.deliveries(ctx, orgID, "webhook_deliveries.endpoint_id = ?", endpointID, p)
}

// CallbackDeliveries lists the organisation's partner callbacks of a kind
// (Greenhouse's completion calls), newest first, each with its attempts.
func (s *Store) CallbackDeliveries(ctx context.Context, orgID, kind string, p Page) ([]WebhookDelivery, string, error) {
	return s.deliveries(ctx, orgID, "webhook_deliveries.callback_kind = ?", kind, p)
}

func (s *Store) deliveries(ctx context.Context, orgID, where string, arg any, p Page) ([]WebhookDelivery, string, error) {
	db := s.db.WithContext(ctx)
	q := db.Table("webhook_deliveries").Select("webhook_deliveries.*, e.type AS event_type").
		Joins("JOIN webhook_events e ON e.id = webhook_deliveries.event_id").
		Where("webhook_deliveries.org_id = ?", orgID).Where(where, arg)
	rows, next, err := paginate(q, "webhook_deliveries", p, func(d *WebhookDelivery) cursor { return cursor{d.CreatedAt, d.ID} })
	if err != nil {
		return nil, "", fmt.Errorf("list deliveries: %w", err)
	}
	if len(rows) == 0 {
		return rows, next, nil
	}
	ids := make([]string, len(rows))
	for i, d := range rows {
		ids[i] = d.ID
	}
	var attempts []WebhookAttempt
	if err := db.Where("delivery_id IN ?", ids).Order("id").Find(&attempts).Error; err != nil {
		return nil, "", fmt.Errorf("list delivery attempts: %w", err)
	}
	byDelivery := map[string][]WebhookAttempt{}
	for _, at := range attempts {
		byDelivery[at.DeliveryID] = append(byDelivery[at.DeliveryID], at)
	}
	for i := range rows {
		rows[i].AttemptLog = byDelivery[rows[i].ID]
		if rows[i].AttemptLog == nil {
			rows[i].AttemptLog = []WebhookAttempt{}
		}
	}
	return rows, next, nil
}

// Redeliver queues a new delivery of a delivery's event to the same
// endpoint or callback. The event, and so its id, is the same: receivers
// deduplicate on it.
func (s *Store) Redeliver(ctx context.Context, a Actor, deliveryID string) (*WebhookDelivery, error) {
	var d *WebhookDelivery
	err := s.tx(ctx, func(tx *gorm.DB) error {
		old, err := takeDelivery(tx, a.OrgID, deliveryID)
		if err != nil {
			return err
		}
		var callback struct{ URL, Kind *string }
		if err := tx.Raw(`SELECT callback_url AS url, callback_kind AS kind FROM webhook_deliveries WHERE id = ?`, old.ID).
			Scan(&callback).Error; err != nil {
			return fmt.Errorf("redeliver %s: %w", old.ID, err)
		}
		endpoint, url, kind := "", "", ""
		if old.EndpointID != nil {
			endpoint = *old.EndpointID
		} else if callback.URL != nil && callback.Kind != nil {
			url, kind = *callback.URL, *callback.Kind
		}
		id, err := addDelivery(tx, a.OrgID, old.EventID, endpoint, url, kind)
		if err != nil {
			return err
		}
		if err := audit(tx, a, "webhook.redelivered", "delivery", old.ID, map[string]any{"new_delivery_id": id}); err != nil {
			return err
		}
		d, err = takeDelivery(tx, a.OrgID, id)
		return err
	})
	return d, err
}

// OutgoingDelivery is what the sender needs for one delivery.
type OutgoingDelivery struct {
	ID             string
	OrgID          string
	State          string
	EventID        string
	EventType      string
	EventData      json.RawMessage
	EventCreatedAt time.Time
	EndpointID     *string
	URL            string  // the endpoint's URL or the partner's callback URL
	CallbackKind   *string // set for a partner callback
	Enabled        bool
	// Secrets sign the message: the current one, and the previous one while
	// its overlap lasts.
	Secrets []string `gorm:"-"`
}

// OutgoingDelivery loads a delivery for sending. It is not scoped to an
// organisation: the worker acts for the system, by delivery id.
func (s *Store) OutgoingDelivery(ctx context.Context, id string) (*OutgoingDelivery, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("delivery %q: %w", id, ErrNotFound)
	}
	var row struct {
		OutgoingDelivery
		Secret                  *string
		PreviousSecret          *string
		PreviousSecretExpiresAt *time.Time
	}
	err := s.db.WithContext(ctx).Raw(`SELECT d.id, d.org_id, d.state, e.id AS event_id, e.type AS event_type,
			e.data AS event_data, e.created_at AS event_created_at, d.endpoint_id,
			COALESCE(w.url, d.callback_url) AS url, d.callback_kind, COALESCE(w.enabled, true) AS enabled,
			w.secret, w.previous_secret, w.previous_secret_expires_at
		FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
		LEFT JOIN webhook_endpoints w ON w.id = d.endpoint_id
		WHERE d.id = ?`, id).Scan(&row).Error
	if err != nil {
		return nil, fmt.Errorf("load delivery %s: %w", id, err)
	}
	if row.ID == "" {
		return nil, fmt.Errorf("delivery %s: %w", id, ErrNotFound)
	}
	out := row.OutgoingDelivery
	stored := []*string{row.Secret}
	if row.PreviousSecretExpiresAt != nil && time.Now().Before(*row.PreviousSecretExpiresAt) {
		stored = append(stored, row.PreviousSecret)
	}
	for _, v := range stored {
		if v == nil {
			continue
		}
		secret, err := s.openSecret(*v)
		if err != nil {
			return nil, fmt.Errorf("delivery %s: %w", id, err)
		}
		out.Secrets = append(out.Secrets, secret)
	}
	return &out, nil
}

// DeliveryAttempt is the outcome of one try.
type DeliveryAttempt struct {
	At         time.Time
	StatusCode int // 0 when no response came
	Error      string
	Response   string // the first 1 KB of the body
	Duration   time.Duration
	OK         bool
}

// RecordDeliveryAttempt logs an attempt and moves the delivery on: a
// success ends it, a failure ends it when final. An endpoint whose
// deliveries have all failed for DisableAfter is disabled, with the reason
// for its admins; a success clears the count.
func (s *Store) RecordDeliveryAttempt(ctx context.Context, id string, at DeliveryAttempt, final bool) error {
	var status any
	if at.StatusCode != 0 {
		status = at.StatusCode
	}
	if at.OK {
		// The common case in one statement (one round trip, no explicit
		// transaction): log, mark succeeded, end the endpoint's failing streak.
		err := s.db.WithContext(ctx).Exec(`WITH a AS (
				INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, error, response, duration_ms)
				VALUES (?, ?, ?, '', ?, ?)),
			d AS (
				UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, last_status_code = ?, last_error = '',
				updated_at = now(), finished_at = now() WHERE id = ? RETURNING endpoint_id)
			UPDATE webhook_endpoints SET failing_since = NULL
			WHERE id = (SELECT endpoint_id FROM d) AND failing_since IS NOT NULL`,
			id, at.At, status, at.Response, at.Duration.Milliseconds(), DeliverySucceeded, status, id).Error
		if err != nil {
			return fmt.Errorf("record delivery %s: %w", id, err)
		}
		return nil
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, error, response, duration_ms)
			VALUES (?, ?, ?, ?, ?, ?)`, id, at.At, status, truncate(at.Error, 1000), at.Response, at.Duration.Milliseconds()).Error; err != nil {
			return fmt.Errorf("log attempt of %s: %w", id, err)
		}
		state := DeliveryPending
		if final {
			state = DeliveryFailed
		}
		var endpointID *string
		res := tx.Raw(`UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, last_status_code = ?, last_error = ?,
			updated_at = now(), finished_at = CASE WHEN ? <> 'pending' THEN now() END
			WHERE id = ? RETURNING endpoint_id`, state, status, truncate(at.Error, 1000), state, id).Scan(&endpointID)
		if res.Error != nil {
			return fmt.Errorf("update delivery %s: %w", id, res.Error)
		}
		if endpointID == nil {
			return nil
		}
		return noteEndpointFailure(tx, *endpointID, at)
	})
}

// noteEndpointFailure starts or extends an endpoint's failing streak and
// disables it once the streak is DisableAfter long.
func noteEndpointFailure(tx *gorm.DB, endpointID string, at DeliveryAttempt) error {
	var ep WebhookEndpoint
	err := tx.Raw(`UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ? RETURNING *`,
		at.At, endpointID).Scan(&ep).Error
	if err != nil {
		return fmt.Errorf("note failure of endpoint %s: %w", endpointID, err)
	}
	if !ep.Enabled || ep.FailingSince == nil || at.At.Sub(*ep.FailingSince) < DisableAfter {
		return nil
	}
	why := at.Error
	if at.StatusCode != 0 {
		why = fmt.Sprintf("HTTP %d", at.StatusCode)
	}
	reason := fmt.Sprintf("every delivery failed since %s (last: %s); fix the receiver and enable the endpoint again",
		ep.FailingSince.UTC().Format(time.RFC3339), truncate(why, 200))
	if err := tx.Exec(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = ?, updated_at = now() WHERE id = ?`,
		reason, endpointID).Error; err != nil {
		return fmt.Errorf("disable endpoint %s: %w", endpointID, err)
	}
	return audit(tx, Actor{OrgID: ep.OrgID, Label: "system:webhooks"}, "webhook.disabled", "webhook", endpointID,
		map[string]any{"reason": reason})
}

// RequeueStaleDeliveries writes a new outbox row for each pending delivery
// untouched for olderThan whose last row was handed over: the queue may
// have lost its task (a flushed Redis). olderThan must exceed the longest
// retry wait. The task id is the delivery id, so a task still in the queue
// is not doubled. It returns how many were requeued.
func (s *Store) RequeueStaleDeliveries(ctx context.Context, olderThan time.Duration) (int, error) {
	var ids []string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Raw(`SELECT d.id FROM webhook_deliveries d
			WHERE d.state = ? AND d.updated_at < now() - make_interval(secs => ?)
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.task_id = d.id::text AND o.sent_at IS NULL)
			ORDER BY d.updated_at LIMIT 500 FOR UPDATE OF d SKIP LOCKED`, DeliveryPending, olderThan.Seconds()).Scan(&ids).Error
		if err != nil {
			return fmt.Errorf("find stale deliveries: %w", err)
		}
		for _, id := range ids {
			if err := addOutbox(tx, tasks.DeliverWebhook, id, tasks.QueueWebhooks, tasks.DeliverPayload{DeliveryID: id}); err != nil {
				return err
			}
		}
		if len(ids) > 0 {
			if err := tx.Exec(`UPDATE webhook_deliveries SET updated_at = now() WHERE id IN ?`, ids).Error; err != nil {
				return fmt.Errorf("touch stale deliveries: %w", err)
			}
		}
		return nil
	})
	return len(ids), err
}
