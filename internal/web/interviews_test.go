package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/store"
)

// interviewOrg makes the objects the interview pages need in an
// organisation: fresh ones per call, so one case's change does not affect
// the next.
type interviewOrg struct {
	e     *env
	actor store.Actor
}

func (o interviewOrg) assessment() string {
	o.e.t.Helper()
	as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: "Backend", HoursAllowed: 24, MaxSubmissions: 3, CandidateView: store.ViewTotal}
	if err := o.e.st.CreateAssessment(context.Background(), o.actor, &as); err != nil {
		o.e.t.Fatal(err)
	}
	return as.ID
}

// submission is a queued submission of a fresh assessment: no follow-ups, an empty kit.
func (o interviewOrg) submission() string {
	o.e.t.Helper()
	ctx := context.Background()
	token, err := o.e.st.CreateInvitation(ctx, o.actor, &store.Invitation{AssessmentID: o.assessment(), CandidateName: "Ada", CandidateEmail: "ada@example.com"})
	if err != nil {
		o.e.t.Fatal(err)
	}
	sub, err := o.e.st.Submit(ctx, token, "https://github.com/ada/planets", "")
	if err != nil {
		o.e.t.Fatal(err)
	}
	return sub.ID
}

func (o interviewOrg) question() string {
	o.e.t.Helper()
	q, err := o.e.st.CreateQuestion(context.Background(), o.actor, store.QuestionFields{Level: "junior", Kind: "technical",
		Topic: "indexes", Prompt: "What is an index?", StrongAnswer: []string{"finds rows", "costs writes"}})
	if err != nil {
		o.e.t.Fatal(err)
	}
	return q.ID
}

var questionForm = url.Values{"level": {"senior"}, "kind": {"situational"}, "topic": {"retries"},
	"prompt": {"The partner API fails at night: what do you do?"}, "strong_answer": {"measure\nbackoff"}}

// TestInterviewPagesEveryRoleBothOrganisations: each role calls every
// interview page on its own organisation's objects (allowed, or 403) and on
// another organisation's (404 when allowed: they do not exist for it).
func TestInterviewPagesEveryRoleBothOrganisations(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	globex, err := e.st.EnsureOrganization(ctx, "Globex")
	if err != nil {
		t.Fatal(err)
	}
	orgs := map[bool]interviewOrg{
		true:  {e, e.actor(store.RoleRecruiter)},
		false: {e, store.Actor{OrgID: globex.ID, Label: "test"}},
	}
	all := []string{store.RoleAdmin, store.RoleRecruiter, store.RoleReviewer}
	kitBuilders := []string{store.RoleAdmin, store.RoleRecruiter}
	interviewers := []string{store.RoleAdmin, store.RoleReviewer}
	routes := []struct {
		method, path string // path holds {id} when target is set
		form         url.Values
		roles        []string
		ok           int
		target       func(interviewOrg) string
	}{
		{"GET", "/interview/questions?level=senior&topic=webhooks", nil, all, 200, nil},
		{"POST", "/interview/questions", questionForm, all, 303, nil},
		{"GET", "/interview/questions/{id}/edit", nil, all, 200, interviewOrg.question},
		{"POST", "/interview/questions/{id}", questionForm, all, 303, interviewOrg.question},
		{"POST", "/interview/questions/{id}/copy", url.Values{}, all, 303, interviewOrg.question},
		{"POST", "/interview/questions/{id}/delete", url.Values{}, all, 303, interviewOrg.question},
		{"GET", "/assessments/{id}/kit", nil, all, 200, interviewOrg.assessment},
		{"POST", "/assessments/{id}/kit", url.Values{}, kitBuilders, 303, interviewOrg.assessment},
		{"POST", "/assessments/{id}/kit/add", url.Values{"question_id": {"bank:n1-explain"}}, kitBuilders, 303, interviewOrg.assessment},
		{"GET", "/submissions/{id}/interview", nil, all, 200, interviewOrg.submission},
		{"POST", "/submissions/{id}/interview", url.Values{"notes": {"calm, clear"}}, interviewers, 303, interviewOrg.submission},
		{"GET", "/submissions/{id}/decision", nil, all, 200, interviewOrg.submission},
		{"POST", "/submissions/{id}/decision", url.Values{"decision": {"advance"}}, interviewers, 303, interviewOrg.submission},
	}
	clients := map[string]*http.Client{}
	tokens := map[string]string{}
	for _, role := range all {
		clients[role] = staffClient(e, role)
		tokens[role] = csrfTokenOf(t, clients[role], e.url+"/interview/questions")
	}
	for _, r := range routes {
		for _, role := range all {
			for _, own := range []bool{true, false} {
				if r.target == nil && !own {
					continue // nothing of the other organisation to name
				}
				t.Run(fmt.Sprintf("%s %s as %s on %s", r.method, r.path, role, map[bool]string{true: "own", false: "other"}[own]), func(t *testing.T) {
					path := r.path
					if r.target != nil {
						path = strings.Replace(path, "{id}", r.target(orgs[own]), 1)
					}
					var resp *http.Response
					var err error
					if r.method == "GET" {
						resp, err = clients[role].Get(e.url + path)
					} else {
						form := url.Values{"csrf_token": {tokens[role]}}
						for k, v := range r.form {
							form[k] = v
						}
						resp, err = clients[role].PostForm(e.url+path, form)
					}
					if err != nil {
						t.Fatal(err)
					}
					body := readBody(t, resp)
					want := r.ok
					switch {
					case !slices.Contains(r.roles, role):
						want = http.StatusForbidden
					case !own:
						want = http.StatusNotFound
					}
					if resp.StatusCode != want {
						t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, want, body)
					}
				})
			}
		}
	}
}

// TestShippedQuestionsAreReadOnly: a shipped question has no edit form, a
// post to it is refused with what to do, and its copy is editable.
func TestShippedQuestionsAreReadOnly(t *testing.T) {
	e := newEnv(t, "")
	c := staffClient(e, store.RoleReviewer)
	token := csrfTokenOf(t, c, e.url+"/interview/questions")
	resp, _ := c.Get(e.url + "/interview/questions/bank:n1-explain/edit")
	if body := readBody(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "copy it") {
		t.Errorf("edit form of a shipped question: %d", resp.StatusCode)
	}
	form := url.Values{"csrf_token": {token}}
	for k, v := range questionForm {
		form[k] = v
	}
	resp, _ = c.PostForm(e.url+"/interview/questions/bank:n1-explain", form)
	if body := readBody(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "copy it") {
		t.Errorf("post to a shipped question: %d", resp.StatusCode)
	}
	resp, _ = c.PostForm(e.url+"/interview/questions/bank:n1-explain/copy", url.Values{"csrf_token": {token}})
	readBody(t, resp)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "/edit") {
		t.Fatalf("copy: %d to %q", resp.StatusCode, loc)
	}
	resp, _ = c.Get(e.url + resp.Header.Get("Location"))
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Give an example from an API that lists things") {
		t.Errorf("the copy's edit form: %d", resp.StatusCode)
	}
	bad := url.Values{"csrf_token": {token}, "level": {"senior"}, "kind": {"technical"}, "topic": {"astrology"}, "prompt": {"P"}, "strong_answer": {"x"}}
	resp, _ = c.PostForm(e.url+"/interview/questions", bad)
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Topic must be") {
		t.Errorf("unknown topic: %d", resp.StatusCode)
	}
}

// followUpScorecard is a planets-crud scorecard whose import gave up on the
// first 503 and kept the large populations.
func followUpScorecard() *grading.Scorecard {
	return &grading.Scorecard{
		Takehome: "planets-crud", SuiteVersion: "1", Status: grading.StatusGraded, Score: 70, MaxScore: 100,
		Categories: []grading.CategoryScore{{Name: grading.Correctness, Score: 40, MaxScore: 50}, {Name: grading.Endpoints, Score: 30, MaxScore: 50}},
		Checks: []grading.CheckResult{
			{ID: "import.large_population", Title: "Populations above 2^31 kept exactly", Category: grading.Correctness,
				Status: grading.CheckPassed, Score: 5, MaxScore: 5, Visibility: grading.Visible, Evidence: map[string]any{"compared": 2}},
			{ID: "resilience.retry_503", Title: "Import retried when the endpoint first answers 503", Category: grading.Correctness,
				Status: grading.CheckFailed, MaxScore: 5, Visibility: grading.Hidden, Message: "60 of the 60 planets are missing",
				Evidence: map[string]any{"graphql_requests": 1, "imported_first_run": 60, "listed": 0}},
		},
	}
}
