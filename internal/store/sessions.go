package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Session is one sign-in of a staff user; its id is the token's jti.
type Session struct {
	ID        string `gorm:"primaryKey;default:gen_random_uuid()"`
	UserID    string
	OrgID     string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// StartSession opens a session for u lasting ttl, and forgets the user's
// sessions that ended more than a day ago so the table stays small.
func (s *Store) StartSession(ctx context.Context, u *User, ttl time.Duration) (*Session, error) {
	sess := Session{UserID: u.ID, OrgID: u.OrgID}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ? AND expires_at < now() - interval '1 day'", u.ID).Delete(&Session{}).Error; err != nil {
			return fmt.Errorf("forget old sessions: %w", err)
		}
		return tx.Raw("INSERT INTO sessions (user_id, org_id, expires_at) VALUES (?, ?, now() + make_interval(secs => ?)) RETURNING *",
			u.ID, u.OrgID, ttl.Seconds()).Scan(&sess).Error
	})
	if err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	return &sess, nil
}

// SessionUser is the user of a live session (neither ended nor expired)
// whose account is enabled; ErrNotFound otherwise.
func (s *Store) SessionUser(ctx context.Context, sessionID, orgID, userID string) (*User, error) {
	var u User
	if !validUUID(sessionID) || !validUUID(userID) || !validUUID(orgID) {
		return nil, fmt.Errorf("session %q: %w", sessionID, ErrNotFound)
	}
	err := s.db.WithContext(ctx).Model(&User{}).
		Joins("JOIN sessions ON sessions.user_id = users.id").
		Where("sessions.id = ? AND users.id = ? AND users.org_id = ? AND sessions.org_id = users.org_id", sessionID, userID, orgID).
		Where("sessions.revoked_at IS NULL AND sessions.expires_at > now() AND NOT users.disabled").
		Take(&u).Error
	if err != nil {
		return nil, notFound(err, "session")
	}
	return &u, nil
}

// RenewSession moves a live session's end to ttl from now; an ended or
// expired session is ErrNotFound and stays ended.
func (s *Store) RenewSession(ctx context.Context, sessionID string, ttl time.Duration) (*Session, error) {
	var sess Session
	if !validUUID(sessionID) {
		return nil, fmt.Errorf("session %q: %w", sessionID, ErrNotFound)
	}
	err := s.db.WithContext(ctx).Raw(`UPDATE sessions SET expires_at = now() + make_interval(secs => ?)
		WHERE id = ? AND revoked_at IS NULL AND expires_at > now() RETURNING *`, ttl.Seconds(), sessionID).Scan(&sess).Error
	if err != nil {
		return nil, fmt.Errorf("renew session: %w", err)
	}
	if sess.ID == "" {
		return nil, fmt.Errorf("renew session %s: %w", sessionID, ErrNotFound)
	}
	return &sess, nil
}

// EndSession ends one session (sign-out).
func (s *Store) EndSession(ctx context.Context, sessionID string) error {
	if !validUUID(sessionID) {
		return nil
	}
	err := s.db.WithContext(ctx).Model(&Session{}).Where("id = ? AND revoked_at IS NULL", sessionID).
		Update("revoked_at", gorm.Expr("now()")).Error
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// endUserSessions ends every session of a user, in the transaction that
// changed what those sessions were granted on.
func endUserSessions(tx *gorm.DB, userID string) error {
	err := tx.Model(&Session{}).Where("user_id = ? AND revoked_at IS NULL AND expires_at > now()", userID).
		Update("revoked_at", gorm.Expr("now()")).Error
	if err != nil {
		return fmt.Errorf("end the user's sessions: %w", err)
	}
	return nil
}

// SetPassword changes a user's password and ends all their sessions, so
// whoever knew the old one is signed out everywhere.
func (s *Store) SetPassword(ctx context.Context, a Actor, userID, hash string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&User{}).Where("org_id = ? AND id = ?", a.OrgID, userID).Update("password_hash", hash)
		if res.Error != nil {
			return fmt.Errorf("set password: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("set password: user %s: %w", userID, ErrNotFound)
		}
		if err := endUserSessions(tx, userID); err != nil {
			return err
		}
		return audit(tx, a, "user.password_changed", "user", userID, nil)
	})
}
