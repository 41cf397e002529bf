package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/assayhq/assay/internal/interview"
)

func newStaff(t *testing.T, st *Store, a Actor, email, role string) Actor {
	t.Helper()
	u := User{Email: email, Role: role, PasswordHash: "x"}
	if err := st.CreateUser(context.Background(), a, &u); err != nil {
		t.Fatal(err)
	}
	return Actor{OrgID: a.OrgID, UserID: u.ID, Label: "user:" + email}
}

// TestKitsQuestionsAndInterviews: a kit mixes shipped and own questions in
// order with its total time; shipped questions are read-only; deleting an
// own question closes its gap in the kit; another organisation sees none
// of it; two interviewers score one submission, each replacing only their
// own scorecard, and each save is an interview.scored event.
func TestKitsQuestionsAndInterviews(t *testing.T) {
	ctx := context.Background()
	st, sys := newTestStore(t)
	rec := newStaff(t, st, sys, "rec@acme.test", RoleRecruiter)
	token := newInvitation(t, st, rec, 1)
	sub, err := st.Submit(ctx, token, "https://github.com/ada/planets", "")
	if err != nil {
		t.Fatal(err)
	}

	own, err := st.CreateQuestion(ctx, rec, QuestionFields{Level: interview.Senior, Kind: interview.Situational, Topic: "retries",
		Prompt: "Our partner API fails at night. What do you do?", StrongAnswer: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateQuestion(ctx, rec, "bank:n1-explain", QuestionFields{Prompt: "x"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("editing a shipped question: %v, want a conflict", err)
	}
	copied, err := st.CopyQuestion(ctx, rec, "bank:n1-explain")
	if err != nil || copied.CopiedFrom == nil || *copied.CopiedFrom != "bank:n1-explain" || copied.Topic != "n_plus_one" {
		t.Fatalf("copy: %+v, %v", copied, err)
	}
	kit, err := st.SetKit(ctx, rec, sub.AssessmentID, []KitEntry{{"bank:retry-backoff", 10}, {own.ID, 15}, {copied.ID, 5}})
	if err != nil {
		t.Fatal(err)
	}
	if kit.TotalMinutes != 30 || len(kit.Items) != 3 || kit.Items[1].Question.Prompt != own.Prompt || !kit.Items[0].Question.Shipped {
		t.Fatalf("kit: %+v", kit)
	}
	if _, err := st.SetKit(ctx, rec, sub.AssessmentID, []KitEntry{{"bank:retry-backoff", 10}, {"bank:retry-backoff", 5}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a question twice: %v", err)
	}
	if _, err := st.SetKit(ctx, rec, sub.AssessmentID, []KitEntry{{"bank:no-such", 10}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an unknown question: %v", err)
	}
	if err := st.DeleteQuestion(ctx, rec, own.ID); err != nil {
		t.Fatal(err)
	}
	kit, err = st.Kit(ctx, rec.OrgID, sub.AssessmentID)
	if err != nil || len(kit.Items) != 2 || kit.Items[1].Position != 2 || kit.Items[1].Question.ID != copied.ID || kit.TotalMinutes != 15 {
		t.Fatalf("kit after deleting a question: %+v, %v", kit, err)
	}

	other, err := st.EnsureOrganization(ctx, "Globex")
	if err != nil {
		t.Fatal(err)
	}
	globex := newStaff(t, st, Actor{OrgID: other.ID, Label: "test"}, "rec@globex.test", RoleAdmin)
	if _, err := st.Kit(ctx, globex.OrgID, sub.AssessmentID); !errors.Is(err, ErrNotFound) {
		t.Errorf("other organisation reads the kit: %v", err)
	}
	if _, err := st.SetKit(ctx, globex, sub.AssessmentID, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("other organisation sets the kit: %v", err)
	}
	if _, err := st.SetKit(ctx, globex, mustAssessment(t, st, globex), []KitEntry{{copied.ID, 5}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("other organisation's kit uses Acme's question: %v", err)
	}
	if _, err := st.UpdateQuestion(ctx, globex, copied.ID, QuestionFields{Prompt: "x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("other organisation edits the question: %v", err)
	}
	if qs, _ := st.Questions(ctx, globex.OrgID, interview.Filter{}); len(qs) != len(interview.Bank()) {
		t.Errorf("other organisation lists %d questions, want the bank's %d", len(qs), len(interview.Bank()))
	}
	if _, err := st.SaveInterview(ctx, globex, "rec@globex.test", sub.ID, nil, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("other organisation scores the interview: %v", err)
	}

	ann := newStaff(t, st, sys, "ann@acme.test", RoleReviewer)
	bob := newStaff(t, st, sys, "bob@acme.test", RoleAdmin)
	first, err := st.SaveInterview(ctx, ann, "ann@acme.test", sub.ID, []InterviewScore{{QuestionID: "bank:retry-backoff", Prompt: "p", Rating: 2}}, "early")
	if err != nil {
		t.Fatal(err)
	}
	again, err := st.SaveInterview(ctx, ann, "ann@acme.test", sub.ID, []InterviewScore{{QuestionID: "bank:retry-backoff", Prompt: "p", Rating: 4, Note: "backoff and jitter"}}, "final")
	if err != nil || again.ID != first.ID {
		t.Fatalf("saving again: %+v, %v", again, err)
	}
	if _, err := st.SaveInterview(ctx, bob, "bob@acme.test", sub.ID, []InterviewScore{{QuestionID: "check:resilience.retry_503", Prompt: "q", Rating: 3}}, ""); err != nil {
		t.Fatal(err)
	}
	ivs, err := st.Interviews(ctx, sys.OrgID, sub.ID)
	if err != nil || len(ivs) != 2 || ivs[0].Notes != "final" || ivs[0].Scores[0].Rating != 4 || ivs[1].InterviewerEmail != "bob@acme.test" {
		t.Fatalf("interviews: %+v, %v", ivs, err)
	}
	var events []struct {
		Type string
		Data json.RawMessage
	}
	if err := st.db.Raw(`SELECT type, data FROM webhook_events WHERE org_id = ? AND type = ? ORDER BY created_at, id`, sys.OrgID, EventInterviewScored).Scan(&events).Error; err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 {
		t.Fatalf("%d interview.scored events, want 3", len(events))
	}
	var d InterviewEventData
	if err := json.Unmarshal(events[1].Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.SubmissionID != sub.ID || d.Interviewer != "ann@acme.test" || d.MeanRating != 4 || d.Candidate.Name != "Ada" || d.Notes != "final" {
		t.Errorf("event data: %+v", d)
	}
}

func mustAssessment(t *testing.T, st *Store, a Actor) string {
	t.Helper()
	as := Assessment{Takehome: "planets-crud", SuiteVersion: "1", Title: "G", HoursAllowed: 24, MaxSubmissions: 1, CandidateView: ViewTotal}
	if err := st.CreateAssessment(context.Background(), a, &as); err != nil {
		t.Fatal(err)
	}
	return as.ID
}
