package rules

import (
	"testing"

	"github.com/assayhq/assay/internal/store"
)

func TestCandidateForViewer(t *testing.T) {
	c := Candidate{Name: "Ada", Email: "ada@example.com", RepoURL: "https://ada:secret@github.com/ada-l/shop.git?x=1",
		Number: 7, BlindReview: true}
	got := c.ForViewer(store.RoleReviewer)
	if got != (Identity{Name: "Candidate 7", RepoURL: "https://github.com/candidate/shop.git", Blind: true}) {
		t.Errorf("a reviewer under blind review sees %+v", got)
	}
	for _, role := range []string{store.RoleAdmin, store.RoleRecruiter} {
		if got := c.ForViewer(role); got.Blind || got.Name != "Ada" {
			t.Errorf("%s sees %+v, want the name", role, got)
		}
	}
	c.Decided = true
	if got := c.ForViewer(store.RoleReviewer); got.Blind || got.Email != "ada@example.com" {
		t.Errorf("after the decision a reviewer sees %+v", got)
	}
	for url, want := range map[string]string{
		"https://gitlab.com/group/sub/repo": "https://gitlab.com/candidate/candidate/repo",
		"https://github.com/ada":            "https://github.com/(hidden)",
		"not a url":                         "(hidden)",
	} {
		if got := hideOwner(url); got != want {
			t.Errorf("hideOwner(%q) = %q, want %q", url, got, want)
		}
	}
}
