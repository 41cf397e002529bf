package rules

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/store"
)

func TestLimitsSayWhatIsAllowed(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{Title(""), "title must be 1 to 200 characters"},
		{Title(strings.Repeat("é", 201)), "title must be 1 to 200 characters"},
		{Instructions(strings.Repeat("x", MaxTextBytes+1)), "instructions must be at most 20000 bytes"},
		{HoursAllowed(0), "hours_allowed must be from 1 to 720"},
		{MaxSubmissions(21), "max_submissions must be from 1 to 20"},
		{CandidateView("everything"), "candidate_view must be nothing, total or visible_checks"},
		{Decision("maybe"), "decision must be advance, reject or hold"},
		{Notes(strings.Repeat("x", MaxTextBytes+1)), "notes must be at most 20000 bytes"},
		{Email("candidate_email", "Grace <g@example.com>"), "candidate_email must be an address like name@example.com"},
		{Email("email", "g@localhost"), "email must be an address like name@example.com"},
		{Role("owner"), "role must be admin, recruiter or reviewer"},
		{CandidateName("Ada\x00"), "candidate_name must not contain NUL characters"},
		{Notes("ok\x00"), "notes must not contain NUL characters"},
		{NoNULIn(&struct {
			Email string   `json:"email"`
			Tags  []string `json:"event_types"`
		}{Email: "a@b.example", Tags: []string{"x", "y\x00"}}), "event_types must not contain NUL characters"},
		{NoNULInForm(map[string][]string{"title": {"ok", "T\x00"}}), "title must not contain NUL characters"},
	} {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("got %v, want %q", tc.err, tc.want)
		}
	}
	for _, err := range []error{Title(strings.Repeat("é", 200)), Instructions(""), HoursAllowed(720), MaxSubmissions(1),
		CandidateView("total"), Decision("hold"), Email("email", "g@b.example"), Role("reviewer")} {
		if err != nil {
			t.Errorf("allowed input refused: %v", err)
		}
	}
}

func TestStatusOfErrors(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		msg    string
	}{
		{HoursAllowed(0), http.StatusBadRequest, "hours_allowed must be from 1 to 720"},
		{fmt.Errorf("update: %w", Role("x")), http.StatusBadRequest, "update: role must be admin, recruiter or reviewer"},
		{fmt.Errorf("%w: the assessment is archived", store.ErrConflict), http.StatusConflict, "the assessment is archived"},
		{fmt.Errorf("submit: %w: all attempts used", store.ErrClosed), http.StatusForbidden, "all attempts used"},
		{fmt.Errorf("%w: repo_url must be https", intake.ErrRejected), http.StatusBadRequest, "repo_url must be https"},
		{fmt.Errorf("invitation %q: %w", "x", store.ErrNotFound), http.StatusNotFound, "not found"},
		{&http.MaxBytesError{Limit: 64}, http.StatusRequestEntityTooLarge, "the request is larger than 64 bytes"},
		{errors.New("pq: connection refused"), http.StatusInternalServerError, InternalMessage},
	} {
		status, msg := Status(tc.err)
		if status != tc.status || msg != tc.msg {
			t.Errorf("%v: %d %q, want %d %q", tc.err, status, msg, tc.status, tc.msg)
		}
	}
}

func TestRoleGroups(t *testing.T) {
	if !In(Reviewers, store.RoleAdmin) || In(Reviewers, store.RoleRecruiter) || In(Recruiters, store.RoleReviewer) || !In(Staff, store.RoleReviewer) {
		t.Error("role groups do not say who may do what")
	}
}
