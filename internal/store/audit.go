package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Actor is who asks for a change: a staff user, a candidate or the system.
// Its OrgID scopes every query made on its behalf.
type Actor struct {
	OrgID  string
	UserID string // empty for candidates and the system
	Label  string // "user:<email>", "candidate:<invitation id>", "system"
}

// audit records an action in the same transaction as the change itself.
func audit(tx *gorm.DB, a Actor, action, targetType, targetID string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	e := AuditEntry{Actor: a.Label, Action: action, TargetType: targetType, TargetID: targetID, Details: raw}
	if a.OrgID != "" {
		e.OrgID = &a.OrgID
	}
	if a.UserID != "" {
		e.ActorID = &a.UserID
	}
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditLog lists an organisation's audit entries, newest first.
func (s *Store) AuditLog(ctx context.Context, orgID string, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > maxPageSize {
		limit = defaultPageSize
	}
	var rows []AuditEntry
	err := s.db.WithContext(ctx).Where("org_id = ?", orgID).Order("id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return rows, nil
}

// AuditFilter narrows the audit log; empty fields match everything. Actor
// matches part of the actor's label ("user:ada@" finds Ada's entries).
type AuditFilter struct {
	Action     string
	Actor      string
	TargetType string
	From, To   *time.Time // From inclusive, To exclusive
}

// AuditEntries lists one page of an organisation's audit entries, newest
// first, narrowed by f.
func (s *Store) AuditEntries(ctx context.Context, orgID string, f AuditFilter, p Page) ([]AuditEntry, string, error) {
	q := s.db.WithContext(ctx).Model(&AuditEntry{}).Where("org_id = ?", orgID)
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.TargetType != "" {
		q = q.Where("target_type = ?", f.TargetType)
	}
	if f.Actor != "" {
		q = q.Where("strpos(lower(actor), lower(?)) > 0", f.Actor)
	}
	if f.From != nil {
		q = q.Where("created_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("created_at < ?", *f.To)
	}
	rows, next, err := paginate(q, "audit_log", p, func(e *AuditEntry) cursor {
		return cursor{createdAt: e.CreatedAt, id: strconv.FormatInt(e.ID, 10)}
	})
	if err != nil {
		return nil, "", fmt.Errorf("audit log: %w", err)
	}
	return rows, next, nil
}

// AuditFacets lists the actions and target types an organisation's audit log
// holds, for the filters of the audit page.
func (s *Store) AuditFacets(ctx context.Context, orgID string) (actions, targetTypes []string, err error) {
	db := s.db.WithContext(ctx)
	if err := db.Raw(`SELECT DISTINCT action FROM audit_log WHERE org_id = ? ORDER BY 1`, orgID).Scan(&actions).Error; err != nil {
		return nil, nil, fmt.Errorf("audit actions: %w", err)
	}
	if err := db.Raw(`SELECT DISTINCT target_type FROM audit_log WHERE org_id = ? ORDER BY 1`, orgID).Scan(&targetTypes).Error; err != nil {
		return nil, nil, fmt.Errorf("audit target types: %w", err)
	}
	return actions, targetTypes, nil
}
