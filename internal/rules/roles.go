package rules

import (
	"slices"

	"github.com/assayhq/assay/internal/store"
)

// Who may do what, by role. Both front ends guard their routes with these
// groups and show or hide actions by them.
var (
	// Staff is every role: reading assessments, submissions and scorecards.
	Staff = []string{store.RoleAdmin, store.RoleRecruiter, store.RoleReviewer}
	// Recruiters manage assessments and invitations.
	Recruiters = []string{store.RoleAdmin, store.RoleRecruiter}
	// Reviewers record decisions, regrade and cancel gradings.
	Reviewers = []string{store.RoleAdmin, store.RoleReviewer}
	// Admins manage users, webhooks and the partner integration.
	Admins = []string{store.RoleAdmin}
)

// In reports whether role belongs to group.
func In(group []string, role string) bool { return slices.Contains(group, role) }
