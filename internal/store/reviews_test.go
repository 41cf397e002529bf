package store

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// newReviewer adds a reviewer to the actor's organisation and returns an
// actor acting as them.
func newReviewer(t *testing.T, st *Store, a Actor, email string) Actor {
	t.Helper()
	u := User{Email: email, Role: RoleReviewer, PasswordHash: "x"}
	if err := st.CreateUser(context.Background(), a, &u); err != nil {
		t.Fatal(err)
	}
	return Actor{OrgID: a.OrgID, UserID: u.ID, Label: "user:" + email}
}

func submitOnce(t *testing.T, st *Store, token string) *Submission {
	t.Helper()
	sub, err := st.Submit(context.Background(), token, "https://github.com/ada/shop", "")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func TestDecisionIsRecordedOnce(t *testing.T) {
	st, a := newTestStore(t)
	ctx := context.Background()
	sub := submitOnce(t, st, newInvitation(t, st, a, 3))
	rev1, rev2 := newReviewer(t, st, a, "r1@acme.test"), newReviewer(t, st, a, "r2@acme.test")

	// Two reviewers decide at the same moment: exactly one decision is kept.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, who := range []Actor{rev1, rev2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.AddReview(ctx, who, sub.ID, []string{"advance", "reject"}[i], "")
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("want exactly one decision to succeed, got errors %v and %v", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, ErrConflict) {
			t.Fatalf("second decision: %v, want a conflict", err)
		}
	}
	d, err := st.Submission(ctx, a.OrgID, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Reviews) != 1 || d.Reviews[0].ReviewerEmail == "" {
		t.Fatalf("reviews %+v: want one, with its author", d.Reviews)
	}
	first := d.Reviews[0].Decision

	// An admin's explicit change replaces it, keeps the history and is audited.
	admin := newReviewer(t, st, a, "admin@acme.test")
	if _, err := st.ChangeDecision(ctx, admin, sub.ID, "hold", "second look"); err != nil {
		t.Fatal(err)
	}
	d, _ = st.Submission(ctx, a.OrgID, sub.ID)
	if len(d.Reviews) != 2 || d.Decision().Decision != "hold" || !d.Decision().Changed || d.Reviews[0].Decision != first {
		t.Fatalf("after the change: %+v", d.Reviews)
	}
	log, err := st.AuditLog(ctx, a.OrgID, 50)
	if err != nil {
		t.Fatal(err)
	}
	var changed bool
	for _, e := range log {
		changed = changed || (e.Action == "review.decision_changed" && e.TargetID == sub.ID)
	}
	if !changed {
		t.Fatal("the change is not in the audit log")
	}

	// A change needs a decision to change.
	other := submitOnce(t, st, newInvitation(t, st, a, 1))
	if _, err := st.ChangeDecision(ctx, admin, other.ID, "hold", ""); !errors.Is(err, ErrConflict) {
		t.Fatalf("changing a missing decision: %v, want a conflict", err)
	}
}

func TestRubricScoredByTwoReviewers(t *testing.T) {
	st, a := newTestStore(t)
	ctx := context.Background()
	sub := submitOnce(t, st, newInvitation(t, st, a, 1))
	rev1, rev2 := newReviewer(t, st, a, "r1@acme.test"), newReviewer(t, st, a, "r2@acme.test")

	all := func(n int) map[string]int {
		m := map[string]int{}
		for _, c := range DefaultRubric {
			m[c.Name] = n
		}
		return m
	}
	if _, err := st.ScoreRubric(ctx, rev1, sub.ID, all(2), ""); err != nil {
		t.Fatal(err)
	}
	// A reviewer who changes their mind replaces their scores, not adds to them.
	if _, err := st.ScoreRubric(ctx, rev1, sub.ID, all(3), "tidy"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ScoreRubric(ctx, rev2, sub.ID, all(4), ""); err != nil {
		t.Fatal(err)
	}
	scores, err := st.RubricScores(ctx, a.OrgID, []string{sub.ID})
	if err != nil {
		t.Fatal(err)
	}
	got := scores[sub.ID]
	if len(got) != 2 || got[0].ReviewerEmail != "r1@acme.test" || got[0].Notes != "tidy" {
		t.Fatalf("scores %+v: want one row per reviewer, with author", got)
	}
	if m := MeanScores(DefaultRubric, got); m.Overall != 3.5 || m.Criteria[0] != 3.5 || m.Reviewers != 2 {
		t.Fatalf("mean %+v, want 3.5", m)
	}

	for name, bad := range map[string]map[string]int{
		"a level out of range":  {"Structure": 5, "Error handling": 1, "Tests": 1, "README": 1},
		"a criterion left out":  {"Structure": 1},
		"a criterion not in it": func() map[string]int { m := all(1); m["Style"] = 2; return m }(),
	} {
		if _, err := st.ScoreRubric(ctx, rev1, sub.ID, bad, ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}

	// Another organisation's reviewer cannot score, nor read the scores.
	other, err := st.EnsureOrganization(ctx, "Globex")
	if err != nil {
		t.Fatal(err)
	}
	outsider := newReviewer(t, st, Actor{OrgID: other.ID, Label: "test"}, "x@globex.test")
	if _, err := st.ScoreRubric(ctx, outsider, sub.ID, all(1), ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("outsider scoring: %v, want not found", err)
	}
	if theirs, _ := st.RubricScores(ctx, other.ID, []string{sub.ID}); len(theirs) != 0 {
		t.Fatalf("outsider reads scores: %+v", theirs)
	}

	// An edited rubric is what reviewers score from then on.
	as, err := st.SetRubric(ctx, a, sub.AssessmentID, []Criterion{{Name: "Naming", Levels: [4]string{"a", "b", "c", "d"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(as.Criteria()) != 1 {
		t.Fatalf("criteria %+v", as.Criteria())
	}
	if _, err := st.ScoreRubric(ctx, rev1, sub.ID, map[string]int{"Naming": 4}, ""); err != nil {
		t.Fatal(err)
	}
}

func TestSubmissionTableOneRowPerCandidate(t *testing.T) {
	st, a := newTestStore(t)
	ctx := context.Background()
	token := newInvitation(t, st, a, 3)
	first := submitOnce(t, st, token)
	latest := submitOnce(t, st, token)
	rows, total, err := st.SubmissionTable(ctx, a.OrgID, SubmissionTableQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(rows) != 1 || rows[0].ID != latest.ID || len(rows[0].Earlier) != 1 || rows[0].Earlier[0].ID != first.ID {
		t.Fatalf("rows %+v (total %d): want Ada once, latest attempt with the first inside", rows, total)
	}
	if rows[0].CandidateNumber != 1 {
		t.Fatalf("candidate number %d, want 1", rows[0].CandidateNumber)
	}
	for search, want := range map[string]int{"ada": 1, "ADA@EXAMPLE": 1, "bob": 0, "%": 0} {
		_, n, err := st.SubmissionTable(ctx, a.OrgID, SubmissionTableQuery{Search: search})
		if err != nil || n != want {
			t.Errorf("search %q: %d rows (%v), want %d", search, n, err, want)
		}
	}
	if _, err := st.AddReview(ctx, a, latest.ID, "advance", ""); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := st.SubmissionTable(ctx, a.OrgID, SubmissionTableQuery{Undecided: true}); n != 0 {
		t.Fatalf("undecided lists %d, want 0 after the decision", n)
	}

	// Under blind review a reviewer's search never matches an undecided candidate.
	blind := true
	if _, err := st.UpdateAssessment(ctx, a, latest.AssessmentID, AssessmentChanges{BlindReview: &blind}); err != nil {
		t.Fatal(err)
	}
	bob, err := st.CreateInvitation(ctx, a, &Invitation{AssessmentID: latest.AssessmentID, CandidateName: "Bob", CandidateEmail: "bob@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	submitOnce(t, st, bob)
	if rows, _, _ := st.SubmissionTable(ctx, a.OrgID, SubmissionTableQuery{Search: "bob"}); len(rows) != 1 || rows[0].CandidateNumber != 2 {
		t.Fatalf("Bob, invited second, is not Candidate 2: %+v", rows)
	}
	if _, n, _ := st.SubmissionTable(ctx, a.OrgID, SubmissionTableQuery{Search: "bob", SearchSkipsBlind: true}); n != 0 {
		t.Fatalf("blind search found Bob")
	}
	if _, n, _ := st.SubmissionTable(ctx, a.OrgID, SubmissionTableQuery{Search: "ada", SearchSkipsBlind: true}); n != 1 {
		t.Fatalf("blind search hides Ada, who is decided")
	}
}
