package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/store"
)

// route is one staff route, who may use it, and what success looks like.
type route struct {
	method, path string // path may hold {id}
	body         any
	roles        []string
	ok           int
	// target gives the id of an object of org o for {id}; fresh objects keep
	// one case's change from affecting the next.
	target func(e *env, o *org) string
}

func (e *env) freshAssessment(o *org) string {
	var as store.Assessment
	e.mustJSON(e.do("POST", "/api/v1/assessments", o.tokens[store.RoleRecruiter],
		map[string]any{"takehome": "shopping-list", "title": "Fresh"}), 201, &as)
	return as.ID
}

func (e *env) freshInvitation(o *org) string {
	var inv struct{ Invitation store.Invitation }
	e.mustJSON(e.do("POST", "/api/v1/assessments/"+o.assessment+"/invitations", o.tokens[store.RoleRecruiter],
		map[string]any{"candidate_name": "Bob", "candidate_email": "bob@example.com"}), 201, &inv)
	return inv.Invitation.ID
}

func (e *env) freshUser(o *org) string {
	ctx := context.Background()
	u := store.User{Email: fmt.Sprintf("u%d@%s.test", len(o.userIDs), o.id[:8]), Role: store.RoleReviewer, PasswordHash: "x"}
	o.userIDs[u.Email] = ""
	if err := e.store.CreateUser(ctx, store.Actor{OrgID: o.id, Label: "test"}, &u); err != nil {
		e.t.Fatal(err)
	}
	return u.ID
}

var (
	all        = []string{store.RoleAdmin, store.RoleRecruiter, store.RoleReviewer}
	recruiters = []string{store.RoleAdmin, store.RoleRecruiter}
	reviewers  = []string{store.RoleAdmin, store.RoleReviewer}
	admins     = []string{store.RoleAdmin}
)

func staffRoutes() []route {
	asm := func(e *env, o *org) string { return o.assessment }
	sub := func(e *env, o *org) string { return o.submission }
	return []route{
		{"GET", "/api/v1/me", nil, all, 200, nil},
		// A wrong current password (400) keeps the table's tokens alive.
		{"POST", "/api/v1/me/password", map[string]any{"current_password": "not the password", "new_password": "another long password"}, all, 400, nil},
		{"GET", "/api/v1/takehomes", nil, all, 200, nil},
		{"GET", "/api/v1/assessments", nil, all, 200, nil},
		{"POST", "/api/v1/assessments", map[string]any{"takehome": "planets-crud", "title": "T"}, recruiters, 201, nil},
		{"GET", "/api/v1/assessments/{id}", nil, all, 200, asm},
		{"PATCH", "/api/v1/assessments/{id}", map[string]any{"hours_allowed": 48}, recruiters, 200, asm},
		{"DELETE", "/api/v1/assessments/{id}", nil, recruiters, 204, (*env).freshAssessmentFor},
		{"POST", "/api/v1/assessments/{id}/invitations", map[string]any{"candidate_name": "C", "candidate_email": "c@example.com"}, recruiters, 201, asm},
		{"GET", "/api/v1/invitations", nil, recruiters, 200, nil},
		{"DELETE", "/api/v1/invitations/{id}", nil, recruiters, 204, (*env).freshInvitationFor},
		{"POST", "/api/v1/invitations/{id}/restore", nil, recruiters, 200, (*env).revokedInvitation},
		{"POST", "/api/v1/invitations/{id}/grant", map[string]any{"extra_attempts": 1, "extra_hours": 24}, recruiters, 200, (*env).freshInvitationFor},
		{"POST", "/api/v1/invitations/{id}/link", nil, recruiters, 201, (*env).freshInvitationFor},
		{"GET", "/api/v1/submissions", nil, all, 200, nil},
		{"GET", "/api/v1/submissions/{id}", nil, all, 200, sub},
		{"GET", "/api/v1/assessments/{id}/rubric", nil, all, 200, asm},
		{"PUT", "/api/v1/assessments/{id}/rubric", map[string]any{"criteria": []map[string]any{{"name": "Naming", "levels": []string{"a", "b", "c", "d"}}}}, recruiters, 200, (*env).freshAssessmentFor},
		{"POST", "/api/v1/submissions/{id}/reviews", map[string]any{"decision": "advance", "notes": "good"}, reviewers, 201, (*env).queuedSubmission},
		{"PUT", "/api/v1/submissions/{id}/rubric-scores", map[string]any{"scores": defaultRubricScores(3)}, reviewers, 200, sub},
		{"GET", "/api/v1/submissions/{id}/events", nil, all, 200, (*env).finishedSubmission},
		{"GET", "/api/v1/submissions/{id}/runs", nil, all, 200, (*env).gradedSubmission},
		{"GET", "/api/v1/submissions/{id}/runs/1", nil, all, 200, (*env).gradedSubmission},
		{"POST", "/api/v1/submissions/{id}/regrade", nil, reviewers, 202, (*env).finishedSubmission},
		{"POST", "/api/v1/submissions/{id}/cancel", nil, reviewers, 200, (*env).queuedSubmission},
		{"POST", "/api/v1/submissions/{id}/share", nil, reviewers, 200, (*env).gradedSubmission},
		{"GET", "/api/v1/submissions/{id}/code", nil, all, 200, (*env).codedSubmission},
		{"GET", "/api/v1/submissions/{id}/code/file?path=main.go", nil, all, 200, (*env).codedSubmission},
		{"GET", "/api/v1/submissions/{id}/comments", nil, all, 200, (*env).codedSubmission},
		{"POST", "/api/v1/submissions/{id}/comments", map[string]any{"path": "main.go", "line": 1, "body": "why?"}, reviewers, 201, (*env).codedSubmission},
		{"GET", "/api/v1/submissions/{id}/similarity", nil, all, 200, (*env).similarSubmission},
		{"GET", "/api/v1/submissions/{id}/similarity/{other}", nil, all, 200, (*env).similarPair},
		{"POST", "/api/v1/submissions/{id}/similarity/{other}/mark", nil, reviewers, 200, (*env).similarPair},
		{"DELETE", "/api/v1/submissions/{id}/similarity/{other}/mark", nil, reviewers, 200, (*env).similarPair},
		{"GET", "/api/v1/known-solutions", nil, admins, 200, nil},
		{"POST", "/api/v1/known-solutions", map[string]any{"takehome": "planets-crud", "repo_url": "https://github.com/someone/planets-answer"}, admins, 201, nil},
		{"GET", "/api/v1/known-solutions/{id}", nil, admins, 200, (*env).freshKnownSolution},
		{"DELETE", "/api/v1/known-solutions/{id}", nil, admins, 204, (*env).freshKnownSolution},
		{"POST", "/api/v1/known-solutions/{id}/refetch", nil, admins, 202, (*env).freshKnownSolution},
		{"GET", "/api/v1/users", nil, admins, 200, nil},
		{"POST", "/api/v1/users", nil, admins, 201, nil}, // body made per case: emails are unique
		{"PATCH", "/api/v1/users/{id}", map[string]any{"role": "recruiter"}, admins, 200, (*env).freshUserFor},
		{"GET", "/api/v1/audit", nil, admins, 200, nil},
		{"GET", "/api/v1/webhooks", nil, admins, 200, nil},
		{"POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.com/a", "event_types": []string{"submission.graded"}}, admins, 201, nil},
		{"PATCH", "/api/v1/webhooks/{id}", map[string]any{"description": "ATS"}, admins, 200, (*env).freshWebhookFor},
		{"DELETE", "/api/v1/webhooks/{id}", nil, admins, 204, (*env).freshWebhookFor},
		{"POST", "/api/v1/webhooks/{id}/test", nil, admins, 202, (*env).freshWebhookFor},
		{"GET", "/api/v1/webhooks/{id}/deliveries", nil, admins, 200, (*env).freshWebhookFor},
		{"POST", "/api/v1/deliveries/{id}/redeliver", nil, admins, 202, (*env).freshDeliveryFor},
		{"GET", "/api/v1/interview/questions?level=senior", nil, all, 200, nil},
		{"POST", "/api/v1/interview/questions", questionBody, all, 201, nil},
		{"GET", "/api/v1/interview/questions/{id}", nil, all, 200, (*env).freshQuestion},
		{"PUT", "/api/v1/interview/questions/{id}", questionBody, all, 200, (*env).freshQuestion},
		{"DELETE", "/api/v1/interview/questions/{id}", nil, all, 204, (*env).freshQuestion},
		{"POST", "/api/v1/interview/questions/{id}/copy", nil, all, 201, (*env).freshQuestion},
		{"GET", "/api/v1/assessments/{id}/kit", nil, all, 200, asm},
		{"PUT", "/api/v1/assessments/{id}/kit", map[string]any{"items": []map[string]any{{"question_id": "bank:n1-explain", "minutes": 10}}}, recruiters, 200, asm},
		{"GET", "/api/v1/submissions/{id}/interview-kit", nil, all, 200, (*env).gradedSubmission},
		{"GET", "/api/v1/submissions/{id}/interviews", nil, all, 200, sub},
		{"PUT", "/api/v1/submissions/{id}/interviews/mine", map[string]any{"scores": []map[string]any{{"question_id": "bank:n1-explain", "prompt": "N+1?", "rating": 3, "note": "joins"}}, "notes": "solid"}, reviewers, 200, sub},
		{"GET", "/api/v1/custom-takehomes", nil, all, 200, nil},
		{"POST", "/api/v1/custom-takehomes", nil, recruiters, 201, nil}, // body made per case: slugs are unique
		{"GET", "/api/v1/custom-takehomes/{id}", nil, all, 200, (*env).takehome},
		{"POST", "/api/v1/custom-takehomes/{id}/versions", helloZip("fixture"), recruiters, 201, (*env).takehome},
		{"GET", "/api/v1/custom-takehomes/{id}/versions/1", nil, all, 200, (*env).takehome},
		{"GET", "/api/v1/custom-takehomes/{id}/versions/1/bundle", nil, recruiters, 200, (*env).takehome},
		{"POST", "/api/v1/greenhouse/key", nil, admins, 201, nil},
		{"GET", "/api/v1/greenhouse/callbacks", nil, admins, 200, nil},
	}
}

// queuedSubmission makes a new submission of org o, waiting to be graded.
func (e *env) queuedSubmission(o *org) string {
	ctx := context.Background()
	token, err := e.store.CreateInvitation(ctx, store.Actor{OrgID: o.id, Label: "test"},
		&store.Invitation{AssessmentID: o.assessment, CandidateName: "Q", CandidateEmail: "q@example.com"})
	if err != nil {
		e.t.Fatal(err)
	}
	sub, err := e.store.Submit(ctx, token, "https://github.com/q/r", "")
	if err != nil {
		e.t.Fatal(err)
	}
	return sub.ID
}

// gradedSubmission makes a new submission of org o graded once, as a worker would.
func (e *env) gradedSubmission(o *org) string {
	ctx := context.Background()
	id := e.queuedSubmission(o)
	if _, err := e.store.ClaimSubmission(ctx, id, "test-worker", time.Minute); err != nil {
		e.t.Fatal(err)
	}
	err := e.store.FinishGrading(ctx, id, "test-worker", store.GradeResult{Status: store.StatusGraded, Score: 70, MaxScore: 100,
		Takehome: "planets-crud", SuiteVersion: "1", Scorecard: json.RawMessage(`{"score": 70, "schema_dump": "CREATE TABLE planets ();"}`)})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// finishedSubmission makes a new submission of org o that was canceled.
func (e *env) finishedSubmission(o *org) string {
	id := e.queuedSubmission(o)
	if _, err := e.store.CancelSubmission(context.Background(), store.Actor{OrgID: o.id, Label: "test"}, id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// revokedInvitation makes a new invitation of org o and revokes it unopened.
func (e *env) revokedInvitation(o *org) string {
	id := e.freshInvitation(o)
	if _, err := e.store.RevokeInvitation(context.Background(), store.Actor{OrgID: o.id, Label: "test"}, id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// questionBody is an organisation's own interview question.
var questionBody = map[string]any{"level": "senior", "kind": "situational", "topic": "retries",
	"prompt": "The partner API fails every night at 2am. What do you do?", "strong_answer": []string{"measure", "backoff"}}

// freshQuestion makes an own interview question of org o.
func (e *env) freshQuestion(o *org) string {
	q, err := e.store.CreateQuestion(context.Background(), store.Actor{OrgID: o.id, Label: "test"},
		store.QuestionFields{Level: "junior", Kind: "technical", Topic: "indexes", Prompt: "What is an index?", StrongAnswer: []string{"a", "b"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return q.ID
}

// defaultRubricScores scores every criterion of the default rubric n.
func defaultRubricScores(n int) map[string]int {
	m := map[string]int{}
	for _, c := range store.DefaultRubric {
		m[c.Name] = n
	}
	return m
}

func (e *env) freshAssessmentFor(o *org) string { return e.freshAssessment(o) }
func (e *env) freshInvitationFor(o *org) string { return e.freshInvitation(o) }
func (e *env) freshUserFor(o *org) string       { return e.freshUser(o) }

// TestEveryRouteEveryRoleBothOrganisations: each role of organisation A calls
// every staff route on its own objects (allowed or 403) and on organisation
// B's (404 when allowed: B's objects do not exist for A), with no token (401).
func TestEveryRouteEveryRoleBothOrganisations(t *testing.T) {
	e := newEnv(t)
	n := 0
	for _, r := range staffRoutes() {
		for _, role := range all {
			for _, owner := range []*org{e.a, e.b} {
				if r.target == nil && owner == e.b {
					continue // list routes have no other organisation's object to name
				}
				n++
				name := fmt.Sprintf("%s %s as %s on %s", r.method, r.path, role, map[bool]string{true: "own", false: "other"}[owner == e.a])
				t.Run(name, func(t *testing.T) {
					path := r.path
					if r.target != nil {
						// A pair's target is "id other": both halves of the path.
						id, other, _ := strings.Cut(r.target(e, owner), " ")
						path = strings.Replace(strings.Replace(path, "{id}", id, 1), "{other}", other, 1)
					}
					body := r.body
					if r.path == "/api/v1/users" && r.method == "POST" {
						body = map[string]any{"email": fmt.Sprintf("new%d@acme.test", n), "role": "reviewer", "password": password}
					}
					if r.path == "/api/v1/custom-takehomes" && r.method == "POST" {
						body = helloZip(fmt.Sprintf("own-%d", n))
					}
					resp := e.do(r.method, path, e.a.tokens[role], body)
					allowed := contains(r.roles, role)
					want := r.ok
					switch {
					case !allowed:
						want = http.StatusForbidden
					case owner == e.b:
						want = http.StatusNotFound
					}
					if resp.StatusCode != want {
						t.Fatalf("status %d, want %d: %s", resp.StatusCode, want, errorOrBody(resp))
					}
					if want >= 400 {
						msg := errorBody(t, resp)
						if owner == e.b && strings.Contains(msg, e.b.id) {
							t.Fatalf("error names the other organisation's object: %s", msg)
						}
					} else {
						resp.Body.Close()
					}
				})
			}
		}
		t.Run(r.method+" "+r.path+" without token", func(t *testing.T) {
			path := strings.NewReplacer("{id}", "00000000-0000-0000-0000-000000000000", "{other}", "00000000-0000-0000-0000-000000000000").Replace(r.path)
			resp := e.do(r.method, path, "", r.body)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", resp.StatusCode)
			}
			errorBody(t, resp)
		})
	}
}

// TestOtherOrganisationDataNeverListed: lists show only the caller's objects.
func TestOtherOrganisationDataNeverListed(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/api/v1/assessments", "/api/v1/invitations", "/api/v1/submissions", "/api/v1/users", "/api/v1/audit"} {
		var page struct {
			Items []map[string]any `json:"items"`
		}
		e.mustJSON(e.do("GET", path, e.a.tokens[store.RoleAdmin], nil), 200, &page)
		if len(page.Items) == 0 {
			t.Fatalf("%s: own organisation's objects missing", path)
		}
		for _, it := range page.Items {
			for _, v := range it {
				s := fmt.Sprint(v)
				if strings.Contains(s, "globex") || strings.Contains(s, "Globex") || s == e.b.assessment || s == e.b.submission {
					t.Fatalf("%s lists another organisation's data: %v", path, it)
				}
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func errorOrBody(resp *http.Response) string {
	defer resp.Body.Close()
	b := make([]byte, 500)
	n, _ := resp.Body.Read(b)
	return string(b[:n])
}
