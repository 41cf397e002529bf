package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// SecretOverlap is how long a rotated-out signing secret keeps signing, so
// a receiver can switch secrets without dropping a message.
const SecretOverlap = 24 * time.Hour

// DisableAfter is how long an endpoint may fail every delivery before it is
// disabled.
const DisableAfter = 5 * 24 * time.Hour

// EventTypeList is a PostgreSQL text[] of event type names.
type EventTypeList []string

// Scan reads a text[] in PostgreSQL's text form ({a,b}); event type names
// hold no characters that need quoting.
func (l *EventTypeList) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("event types: cannot scan %T", src)
	}
	s = strings.Trim(s, "{}")
	*l = nil
	if s != "" {
		*l = strings.Split(s, ",")
	}
	return nil
}

// Value writes the list as a text[] literal.
func (l EventTypeList) Value() (driver.Value, error) {
	return "{" + strings.Join(l, ",") + "}", nil
}

// WebhookEndpoint is where an organisation wants its events sent.
type WebhookEndpoint struct {
	ID                      string        `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	OrgID                   string        `json:"-"`
	URL                     string        `json:"url"`
	Description             string        `json:"description"`
	EventTypes              EventTypeList `gorm:"type:text[]" json:"event_types"`
	Secret                  string        `json:"-"`
	PreviousSecret          *string       `json:"-"`
	PreviousSecretExpiresAt *time.Time    `json:"previous_secret_expires_at,omitempty"`
	Enabled                 bool          `json:"enabled"`
	DisabledReason          string        `json:"disabled_reason,omitempty"`
	FailingSince            *time.Time    `json:"failing_since,omitempty"`
	CreatedAt               time.Time     `json:"created_at"`
	UpdatedAt               time.Time     `json:"updated_at"`
}

// checkEventTypes accepts a non-empty list of known event types, without
// repeats.
func checkEventTypes(types []string) (EventTypeList, error) {
	if len(types) == 0 {
		return nil, fmt.Errorf("%w: event_types must name at least one of %s", ErrInvalid, strings.Join(EventTypes, ", "))
	}
	var out EventTypeList
	for _, t := range types {
		if !slices.Contains(EventTypes, t) {
			return nil, fmt.Errorf("%w: unknown event type %q; known: %s", ErrInvalid, t, strings.Join(EventTypes, ", "))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// CreateWebhookEndpoint adds an endpoint to the actor's organisation with a
// new secret, left in ep.Secret for the caller to show once. The URL has
// been checked by the caller (webhooks.CheckURL).
func (s *Store) CreateWebhookEndpoint(ctx context.Context, a Actor, ep *WebhookEndpoint) error {
	types, err := checkEventTypes(ep.EventTypes)
	if err != nil {
		return err
	}
	secret := newWebhookSecret()
	sealed, err := s.sealSecret(secret)
	if err != nil {
		return err
	}
	ep.OrgID, ep.EventTypes, ep.Secret, ep.Enabled = a.OrgID, types, sealed, true
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(ep).Error; err != nil {
			return fmt.Errorf("create webhook endpoint: %w", err)
		}
		return audit(tx, a, "webhook.created", "webhook", ep.ID, map[string]any{"url": ep.URL, "event_types": ep.EventTypes})
	})
	ep.Secret = secret // shown once; the row keeps it sealed
	return err
}

// WebhookEndpoints lists the organisation's endpoints, newest first.
func (s *Store) WebhookEndpoints(ctx context.Context, orgID string, p Page) ([]WebhookEndpoint, string, error) {
	q := s.db.WithContext(ctx).Model(&WebhookEndpoint{}).Where("org_id = ?", orgID)
	rows, next, err := paginate(q, "webhook_endpoints", p, func(e *WebhookEndpoint) cursor { return cursor{e.CreatedAt, e.ID} })
	if err != nil {
		return nil, "", fmt.Errorf("list webhook endpoints: %w", err)
	}
	return rows, next, nil
}

func takeEndpoint(tx *gorm.DB, orgID, id string, lock bool) (*WebhookEndpoint, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("webhook endpoint %q: %w", id, ErrNotFound)
	}
	var ep WebhookEndpoint
	q := tx.Where("org_id = ? AND id = ?", orgID, id)
	if lock {
		q = q.Clauses(forUpdate)
	}
	if err := q.Take(&ep).Error; err != nil {
		return nil, notFound(err, "webhook endpoint")
	}
	return &ep, nil
}

// WebhookEndpointChanges are the fields a PATCH may change; nil leaves a
// field as it is. RotateSecret makes a new secret; the old one keeps
// signing for SecretOverlap.
type WebhookEndpointChanges struct {
	URL          *string
	Description  *string
	EventTypes   *[]string
	Enabled      *bool
	RotateSecret bool
}

// UpdateWebhookEndpoint changes an endpoint of the actor's organisation.
// After a rotation the new secret is in the result's Secret, to show once.
// Enabling an endpoint clears why it was disabled.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, a Actor, id string, c WebhookEndpointChanges) (*WebhookEndpoint, error) {
	var ep *WebhookEndpoint
	var newSecret, newSealed string
	if c.RotateSecret {
		newSecret = newWebhookSecret()
		var err error
		if newSealed, err = s.sealSecret(newSecret); err != nil {
			return nil, err
		}
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if ep, err = takeEndpoint(tx, a.OrgID, id, true); err != nil {
			return err
		}
		set := map[string]any{"updated_at": time.Now().UTC()}
		details := map[string]any{}
		if c.URL != nil {
			set["url"], details["url"] = *c.URL, *c.URL
		}
		if c.Description != nil {
			set["description"] = *c.Description
		}
		if c.EventTypes != nil {
			types, err := checkEventTypes(*c.EventTypes)
			if err != nil {
				return err
			}
			set["event_types"], details["event_types"] = types, types
		}
		if c.Enabled != nil {
			set["enabled"], details["enabled"] = *c.Enabled, *c.Enabled
			if *c.Enabled {
				set["disabled_reason"], set["failing_since"] = "", nil
			} else if !ep.Enabled {
				delete(set, "enabled") // already off: keep the reason
			} else {
				set["disabled_reason"] = "disabled by " + a.Label
			}
		}
		if c.RotateSecret {
			until := time.Now().UTC().Add(SecretOverlap)
			set["previous_secret"], set["previous_secret_expires_at"] = ep.Secret, until
			set["secret"] = newSealed
			details["secret_rotated"] = true
		}
		if err := tx.Model(ep).Updates(set).Error; err != nil {
			return fmt.Errorf("update webhook endpoint: %w", err)
		}
		if ep, err = takeEndpoint(tx, a.OrgID, id, false); err != nil {
			return err
		}
		return audit(tx, a, "webhook.updated", "webhook", id, details)
	})
	if err != nil {
		return nil, err
	}
	ep.Secret = newSecret // the new one after a rotation, to show once; else nothing
	return ep, nil
}

// DeleteWebhookEndpoint removes an endpoint with its deliveries.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, a Actor, id string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		ep, err := takeEndpoint(tx, a.OrgID, id, true)
		if err != nil {
			return err
		}
		if err := tx.Delete(ep).Error; err != nil {
			return fmt.Errorf("delete webhook endpoint: %w", err)
		}
		return audit(tx, a, "webhook.deleted", "webhook", id, map[string]any{"url": ep.URL})
	})
}

// PingWebhookEndpoint queues a ping event to one endpoint, enabled or not,
// so an admin can check a receiver before relying on it.
func (s *Store) PingWebhookEndpoint(ctx context.Context, a Actor, id string) (*WebhookDelivery, error) {
	var d *WebhookDelivery
	err := s.tx(ctx, func(tx *gorm.DB) error {
		ep, err := takeEndpoint(tx, a.OrgID, id, false)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(map[string]any{"endpoint_id": ep.ID, "requested_by": a.Label})
		if err != nil {
			return fmt.Errorf("ping: %w", err)
		}
		evt := newEventID()
		if err := tx.Exec(`INSERT INTO webhook_events (id, org_id, type, data) VALUES (?, ?, ?, ?)`,
			evt, a.OrgID, EventPing, raw).Error; err != nil {
			return fmt.Errorf("ping: %w", err)
		}
		did, err := addDelivery(tx, a.OrgID, evt, ep.ID, "", "")
		if err != nil {
			return err
		}
		d, err = takeDelivery(tx, a.OrgID, did)
		return err
	})
	return d, err
}
