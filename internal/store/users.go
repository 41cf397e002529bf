package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// EnsureOrganization returns the organisation with this name, creating it
// when there is none.
func (s *Store) EnsureOrganization(ctx context.Context, name string) (*Organization, error) {
	org := Organization{Name: name}
	err := s.db.WithContext(ctx).Where("name = ?", name).Attrs(Organization{Name: name}).FirstOrCreate(&org).Error
	if err != nil {
		return nil, fmt.Errorf("ensure organisation %q: %w", name, err)
	}
	return &org, nil
}

// CreateUser adds a staff user; ErrConflict when the email is taken.
func (s *Store) CreateUser(ctx context.Context, a Actor, u *User) error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.OrgID = a.OrgID
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("create user %s: %w: that email already has an account", u.Email, ErrConflict)
			}
			return fmt.Errorf("create user %s: %w", u.Email, err)
		}
		return audit(tx, a, "user.created", "user", u.ID, map[string]any{"email": u.Email, "role": u.Role})
	})
}

// UserByEmail finds a user for sign-in, whatever the organisation.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	if err != nil {
		return nil, notFound(err, "user by email")
	}
	return &u, nil
}

// User finds a user of the organisation.
func (s *Store) User(ctx context.Context, orgID, id string) (*User, error) {
	var u User
	if !validUUID(id) {
		return nil, fmt.Errorf("user %q: %w", id, ErrNotFound)
	}
	if err := s.db.WithContext(ctx).Where("org_id = ? AND id = ?", orgID, id).Take(&u).Error; err != nil {
		return nil, notFound(err, "user")
	}
	return &u, nil
}

// Users lists the organisation's users by email.
func (s *Store) Users(ctx context.Context, orgID string) ([]User, error) {
	var us []User
	if err := s.db.WithContext(ctx).Where("org_id = ?", orgID).Order("email").Find(&us).Error; err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// UpdateUser changes a user's role or disabled flag, and ends the user's
// sessions when either changes: a demoted or disabled user signs in again
// (or cannot), rather than keeping what an old session was granted.
func (s *Store) UpdateUser(ctx context.Context, a Actor, id string, role *string, disabled *bool) (*User, error) {
	var u User
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if !validUUID(id) {
			return fmt.Errorf("user %q: %w", id, ErrNotFound)
		}
		if err := tx.Where("org_id = ? AND id = ?", a.OrgID, id).Take(&u).Error; err != nil {
			return notFound(err, "user")
		}
		changes := map[string]any{}
		if role != nil {
			changes["role"] = *role
		}
		if disabled != nil {
			changes["disabled"] = *disabled
		}
		if len(changes) == 0 {
			return nil
		}
		grantChanged := role != nil && *role != u.Role || disabled != nil && *disabled
		if err := tx.Model(&u).Updates(changes).Error; err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if grantChanged {
			if err := endUserSessions(tx, u.ID); err != nil {
				return err
			}
		}
		return audit(tx, a, "user.updated", "user", u.ID, changes)
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}
