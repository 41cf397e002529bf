package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/store"
)

// TestBadInputChangesNothing: every malformed, oversize or invalid body gets
// a 4xx with a JSON error, and the organisation's data is the same after.
func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	rec := e.a.tokens[store.RoleRecruiter]
	big := `{"takehome":"planets-crud","title":"` + strings.Repeat("x", 70<<10) + `"}`
	cases := []struct {
		name, method, path, token string
		body                      any
		want                      int
	}{
		{"malformed JSON", "POST", "/api/v1/assessments", rec, `{"takehome":`, 400},
		{"not an object", "POST", "/api/v1/assessments", rec, `[1,2]`, 400},
		{"empty body", "POST", "/api/v1/assessments", rec, ``, 400},
		{"unknown field", "POST", "/api/v1/assessments", rec, `{"takehome":"planets-crud","title":"T","org_id":"x"}`, 400},
		{"trailing data", "POST", "/api/v1/assessments", rec, `{"takehome":"planets-crud","title":"T"} {}`, 400},
		{"unknown takehome", "POST", "/api/v1/assessments", rec, map[string]any{"takehome": "nope", "title": "T"}, 400},
		{"empty title", "POST", "/api/v1/assessments", rec, map[string]any{"takehome": "planets-crud", "title": "  "}, 400},
		{"hours out of range", "POST", "/api/v1/assessments", rec, map[string]any{"takehome": "planets-crud", "title": "T", "hours_allowed": 0}, 400},
		{"bad candidate view", "POST", "/api/v1/assessments", rec, map[string]any{"takehome": "planets-crud", "title": "T", "candidate_view": "all"}, 400},
		{"bad grading mode", "POST", "/api/v1/assessments", rec, map[string]any{"takehome": "planets-crud", "title": "T", "grading_mode": "lenient"}, 400},
		{"wrong type", "POST", "/api/v1/assessments", rec, `{"takehome":"planets-crud","title":5}`, 400},
		{"oversize", "POST", "/api/v1/assessments", rec, big, 413},
		{"patch takehome", "PATCH", "/api/v1/assessments/" + e.a.assessment, rec, map[string]any{"takehome": "shopping-list"}, 400},
		{"patch bad attempts", "PATCH", "/api/v1/assessments/" + e.a.assessment, rec, map[string]any{"max_submissions": 99}, 400},
		{"malformed id", "GET", "/api/v1/assessments/not-a-uuid", rec, nil, 404},
		{"delete with invitations", "DELETE", "/api/v1/assessments/" + e.a.assessment, rec, nil, 409},
		{"invite bad email", "POST", "/api/v1/assessments/" + e.a.assessment + "/invitations", rec, map[string]any{"candidate_name": "A", "candidate_email": "not-an-email"}, 400},
		{"invite no name", "POST", "/api/v1/assessments/" + e.a.assessment + "/invitations", rec, map[string]any{"candidate_email": "a@b.example"}, 400},
		{"bad state filter", "GET", "/api/v1/invitations?state=lost", rec, nil, 400},
		{"bad limit", "GET", "/api/v1/submissions?limit=0", rec, nil, 400},
		{"huge limit", "GET", "/api/v1/submissions?limit=100000", rec, nil, 400},
		{"bad cursor", "GET", "/api/v1/submissions?cursor=bm9wZQ", rec, nil, 400},
		{"bad status filter", "GET", "/api/v1/submissions?status=done", rec, nil, 400},
		{"bad decision", "POST", "/api/v1/submissions/" + e.a.submission + "/reviews", e.a.tokens["reviewer"], map[string]any{"decision": "maybe"}, 400},
		{"user weak password", "POST", "/api/v1/users", e.a.tokens["admin"], map[string]any{"email": "x@acme.test", "role": "admin", "password": "short"}, 400},
		{"user bad role", "POST", "/api/v1/users", e.a.tokens["admin"], map[string]any{"email": "x@acme.test", "role": "owner", "password": password}, 400},
		{"user duplicate", "POST", "/api/v1/users", e.a.tokens["admin"], map[string]any{"email": "admin@globex.test", "role": "admin", "password": password}, 409},
		{"demote yourself", "PATCH", "/api/v1/users/" + e.a.userIDs["admin"], e.a.tokens["admin"], map[string]any{"role": "reviewer"}, 400},
		{"login malformed", "POST", "/api/v1/auth/login", "", `{"email":`, 400},
		{"unknown route", "GET", "/api/v1/nothing", rec, nil, 404},
		// PostgreSQL text cannot hold NUL (22021): refused before any query.
		{"NUL login email", "POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@acme.test\x00", "password": password}, 400},
		{"NUL title", "POST", "/api/v1/assessments", rec, map[string]any{"takehome": "planets-crud", "title": "T\x00"}, 400},
		{"NUL instructions", "PATCH", "/api/v1/assessments/" + e.a.assessment, rec, map[string]any{"instructions": "a\x00b"}, 400},
		{"NUL candidate name", "POST", "/api/v1/assessments/" + e.a.assessment + "/invitations", rec, map[string]any{"candidate_name": "A\x00", "candidate_email": "a@b.example"}, 400},
		{"NUL review notes", "POST", "/api/v1/submissions/" + e.a.submission + "/reviews", e.a.tokens["reviewer"], map[string]any{"decision": "hold", "notes": "\x00"}, 400},
		{"NUL webhook description", "POST", "/api/v1/webhooks", e.a.tokens["admin"], map[string]any{"url": "https://hooks.example.com/a", "event_types": []string{"submission.graded"}, "description": "\x00"}, 400},
		{"NUL user email", "POST", "/api/v1/users", e.a.tokens["admin"], map[string]any{"email": "x\x00@acme.test", "role": "admin", "password": password}, 400},
		{"NUL submission ref", "POST", "/api/v1/candidate/submissions", e.a.inviteToken, map[string]any{"repo_url": "https://github.com/ada/acme", "ref": "main\x00"}, 400},
		{"NUL query", "GET", "/api/v1/invitations?state=pending%00", rec, nil, 400},
	}
	before := e.snapshot()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := e.do(c.method, c.path, c.token, c.body)
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.want, errorOrBody(resp))
			}
			if msg := errorBody(t, resp); strings.Contains(msg, "internal") {
				t.Fatalf("client error reported as internal: %s", msg)
			}
		})
	}
	if after := e.snapshot(); after != before {
		t.Fatalf("bad input changed data: before %+v after %+v", before, after)
	}
}

type counts struct{ assessments, invitations, submissions, users, reviews int64 }

func (e *env) snapshot() counts {
	db := e.store.SQL()
	var c counts
	for _, q := range []struct {
		table string
		dst   *int64
	}{{"assessments", &c.assessments}, {"invitations", &c.invitations}, {"submissions", &c.submissions},
		{"users", &c.users}, {"reviews", &c.reviews}} {
		if err := db.QueryRow("SELECT count(*) FROM " + q.table).Scan(q.dst); err != nil {
			e.t.Fatal(err)
		}
	}
	return c
}

func TestCandidateJourney(t *testing.T) {
	e := newEnv(t)
	rec := e.a.tokens[store.RoleRecruiter]
	var as store.Assessment
	e.mustJSON(e.do("POST", "/api/v1/assessments", rec, map[string]any{"takehome": "shopping-list", "title": "Lists",
		"max_submissions": 2, "hours_allowed": 1, "candidate_view": "visible_checks"}), 201, &as)
	if as.GradingMode != "adaptive" {
		t.Errorf("a new assessment grades %q, want adaptive by default", as.GradingMode)
	}
	var inv struct {
		Token     string `json:"token"`
		InviteURL string `json:"invite_url"`
	}
	e.mustJSON(e.do("POST", "/api/v1/assessments/"+as.ID+"/invitations", rec, map[string]any{"candidate_name": "Grace", "candidate_email": "grace@example.com"}), 201, &inv)
	if !strings.HasSuffix(inv.InviteURL, "/c/"+inv.Token) || len(inv.Token) < 43 {
		t.Fatalf("invite url %q token %q", inv.InviteURL, inv.Token)
	}
	// The token is stored only as a hash.
	var stored int
	e.store.SQL().QueryRow("SELECT count(*) FROM invitations WHERE token_hash::text LIKE '%' || $1 || '%'", inv.Token).Scan(&stored)
	if stored != 0 {
		t.Fatal("token stored in clear")
	}
	var view struct {
		Brief        string     `json:"brief"`
		Deadline     *time.Time `json:"deadline"`
		AttemptsLeft int        `json:"attempts_left"`
		Assessment   struct{ Takehome string }
	}
	e.mustJSON(e.do("GET", "/api/v1/candidate", inv.Token, nil), 200, &view)
	if view.Brief != "# Shopping" || view.Deadline == nil || view.AttemptsLeft != 2 || view.Assessment.Takehome != "shopping-list" {
		t.Fatalf("candidate view %+v", view)
	}
	for _, bad := range []map[string]any{
		{"repo_url": "http://github.com/g/lists"},
		{"repo_url": "https://169.254.169.254/g/lists"},
		{"repo_url": "git@github.com:g/lists.git"},
		{"repo_url": "https://github.com/g/lists", "ref": "--upload-pack=evil"},
	} {
		resp := e.do("POST", "/api/v1/candidate/submissions", inv.Token, bad)
		if resp.StatusCode != 400 {
			t.Fatalf("%v: %d", bad, resp.StatusCode)
		}
		errorBody(t, resp)
	}
	var sub struct{ ID, Status string }
	e.mustJSON(e.do("POST", "/api/v1/candidate/submissions", inv.Token, map[string]any{"repo_url": "https://github.com/g/lists.git", "ref": "main"}), 202, &sub)
	if sub.Status != "queued" {
		t.Fatalf("status %q", sub.Status)
	}
	// The invitation mail and the receipt were queued with their changes.
	var mails int
	e.store.SQL().QueryRow("SELECT count(*) FROM mail_messages WHERE to_addr = 'grace@example.com' AND kind IN ('invitation', 'receipt')").Scan(&mails)
	if mails != 2 {
		t.Fatalf("%d of the invitation and receipt mails queued", mails)
	}
	// The submission and its grading task were written together.
	var outbox int
	e.store.SQL().QueryRow("SELECT count(*) FROM outbox WHERE task_id = $1 AND task_type = 'grade:submission'", sub.ID).Scan(&outbox)
	if outbox != 1 {
		t.Fatalf("outbox rows for submission: %d", outbox)
	}
	// Scorecard shows only visible checks, without evidence, the full totals,
	// and how many points are in the checks not shown.
	scorecard := `{"score":40,"max_score":100,"checks":[{"id":"a.visible","visibility":"visible","status":"failed","max_score":94,"message":"fix it","evidence":{"secret":"x"}},{"id":"b.hidden","visibility":"hidden","status":"passed","max_score":6}]}`
	if _, err := e.store.SQL().ExecContext(context.Background(), `INSERT INTO scorecards (org_id, submission_id, takehome, suite_version, status, score, max_score, data)
		VALUES ($1, $2, 'shopping-list', '1', 'graded', 40, 100, $3)`,
		e.a.id, sub.ID, scorecard); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SQL().Exec(`UPDATE submissions SET status='graded', score=40, max_score=100 WHERE id=$1`, sub.ID); err != nil {
		t.Fatal(err)
	}
	resp := e.do("GET", "/api/v1/candidate/submissions/"+sub.ID, inv.Token, nil)
	raw := errorOrBody(resp)
	if resp.StatusCode != 200 || !strings.Contains(raw, "a.visible") || strings.Contains(raw, "b.hidden") || strings.Contains(raw, "secret") || !strings.Contains(raw, `"score":40`) ||
		!strings.Contains(raw, `"max_score":100`) || !strings.Contains(raw, `"unshared":"6 points are in checks your reviewers have not shared"`) {
		t.Fatalf("candidate scorecard view: %d %s", resp.StatusCode, raw)
	}
	// Another candidate's token does not open this submission.
	if resp := e.do("GET", "/api/v1/candidate/submissions/"+sub.ID, e.a.inviteToken, nil); resp.StatusCode != 404 {
		t.Fatalf("other token: %d", resp.StatusCode)
	}
	// Attempt limit.
	e.mustJSON(e.do("POST", "/api/v1/candidate/submissions", inv.Token, map[string]any{"repo_url": "https://github.com/g/lists"}), 202, nil)
	resp = e.do("POST", "/api/v1/candidate/submissions", inv.Token, map[string]any{"repo_url": "https://github.com/g/lists"})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(errorBody(t, resp), "attempts") {
		t.Fatalf("third attempt: %d", resp.StatusCode)
	}
	// Deadline.
	e.store.SQL().Exec("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1", e.a.invitation)
	resp = e.do("POST", "/api/v1/candidate/submissions", e.a.inviteToken, map[string]any{"repo_url": "https://github.com/g/lists"})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(errorBody(t, resp), "deadline") {
		t.Fatalf("after deadline: %d", resp.StatusCode)
	}
	// Revoked invitations stop working.
	e.mustJSON(e.do("DELETE", "/api/v1/invitations/"+e.b.invitation, e.b.tokens["recruiter"], nil), 204, nil)
	if resp := e.do("GET", "/api/v1/candidate", e.b.inviteToken, nil); resp.StatusCode != 404 {
		t.Fatalf("revoked token: %d", resp.StatusCode)
	}
	if resp := e.do("GET", "/api/v1/candidate", "", nil); resp.StatusCode != 401 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t)
	rec := e.a.tokens[store.RoleRecruiter]
	for i := 0; i < 5; i++ {
		e.freshAssessment(e.a)
	}
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		var p struct {
			Items []store.Assessment `json:"items"`
			Next  string             `json:"next_cursor"`
		}
		e.mustJSON(e.do("GET", "/api/v1/assessments?limit=2&cursor="+cursor, rec, nil), 200, &p)
		pages++
		for _, a := range p.Items {
			if seen[a.ID] {
				t.Fatalf("assessment %s on two pages", a.ID)
			}
			seen[a.ID] = true
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if len(seen) != 6 || pages != 3 {
		t.Fatalf("saw %d assessments over %d pages, want 6 over 3", len(seen), pages)
	}
}

// TestConcurrentSubmissionsRespectTheAttemptLimit: many submissions at the
// same moment through one invitation take each attempt once; the rest are
// refused with a 403, never a 500.
func TestConcurrentSubmissionsRespectTheAttemptLimit(t *testing.T) {
	e := newEnv(t)
	rec := e.a.tokens[store.RoleRecruiter]
	var as store.Assessment
	e.mustJSON(e.do("POST", "/api/v1/assessments", rec, map[string]any{"takehome": "planets-crud", "title": "Race", "max_submissions": 3}), 201, &as)
	var inv struct{ Token string }
	e.mustJSON(e.do("POST", "/api/v1/assessments/"+as.ID+"/invitations", rec, map[string]any{"candidate_name": "R", "candidate_email": "r@example.com"}), 201, &inv)
	const n = 12
	codes := make(chan int, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		go func() {
			<-start
			resp := e.do("POST", "/api/v1/candidate/submissions", inv.Token, map[string]any{"repo_url": "https://github.com/r/race"})
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	close(start)
	count := map[int]int{}
	for i := 0; i < n; i++ {
		count[<-codes]++
	}
	if count[202] != 3 || count[403] != n-3 {
		t.Fatalf("status counts %v, want 3 × 202 and %d × 403", count, n-3)
	}
	var attempts []int
	rows, _ := e.store.SQL().Query("SELECT attempt FROM submissions s JOIN invitations i ON i.id = s.invitation_id WHERE i.candidate_email = 'r@example.com' ORDER BY attempt")
	for rows.Next() {
		var a int
		rows.Scan(&a)
		attempts = append(attempts, a)
	}
	rows.Close()
	if len(attempts) != 3 || attempts[0] != 1 || attempts[2] != 3 {
		t.Fatalf("attempts %v", attempts)
	}
}
