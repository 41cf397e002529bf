// Package demo seeds the demo organisation that `make run` shows: three
// staff users and one assessment per built-in take-home. Seeding twice
// changes nothing.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
)

// OrgName is the demo organisation.
const OrgName = "Demo"

// Users are the demo staff, one per role.
var Users = []struct{ Email, Role string }{
	{"admin@demo.test", store.RoleAdmin},
	{"recruiter@demo.test", store.RoleRecruiter},
	{"reviewer@demo.test", store.RoleReviewer},
}

// Takehome is what seeding needs to know of a take-home.
type Takehome struct{ Slug, Title, Version string }

// Result says what a seed run did.
type Result struct {
	UsersCreated       int
	AssessmentsCreated int
}

// Seed creates what is missing of the demo data.
func Seed(ctx context.Context, st *store.Store, takehomes []Takehome, password string) (*Result, error) {
	org, err := st.EnsureOrganization(ctx, OrgName)
	if err != nil {
		return nil, err
	}
	system := store.Actor{OrgID: org.ID, Label: "system:seed"}
	res := &Result{}
	for _, u := range Users {
		if _, err := st.UserByEmail(ctx, u.Email); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return nil, fmt.Errorf("demo password: %w", err)
		}
		if err := st.CreateUser(ctx, system, &store.User{Email: u.Email, Role: u.Role, PasswordHash: hash}); err != nil {
			return nil, err
		}
		res.UsersCreated++
	}
	existing, _, err := st.Assessments(ctx, org.ID, store.AssessmentFilter{IncludeArchived: true}, store.Page{Limit: 200})
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, a := range existing {
		have[a.Takehome] = true
	}
	for _, th := range takehomes {
		if have[th.Slug] {
			continue
		}
		a := store.Assessment{Takehome: th.Slug, SuiteVersion: th.Version, Title: "Demo: " + th.Title,
			HoursAllowed: 72, MaxSubmissions: 3, CandidateView: store.ViewVisibleChecks}
		if err := st.CreateAssessment(ctx, system, &a); err != nil {
			return nil, err
		}
		res.AssessmentsCreated++
	}
	return res, nil
}
