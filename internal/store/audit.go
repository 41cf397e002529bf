package store

import (
	"context"
	"encoding/json"
	"fmt"

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
