package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/gitfetch/gittest"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/store"
)

// invite makes an invitation of org a to a new assessment and returns its id and token.
func (e *env) invite(t *testing.T, view string, attempts int) (id, token string) {
	t.Helper()
	rec := e.a.tokens[store.RoleRecruiter]
	var as store.Assessment
	e.mustJSON(e.do("POST", "/api/v1/assessments", rec, map[string]any{"takehome": "shopping-list", "title": "Lists",
		"max_submissions": attempts, "candidate_view": view}), 201, &as)
	var inv struct {
		Invitation store.Invitation
		Token      string
	}
	e.mustJSON(e.do("POST", "/api/v1/assessments/"+as.ID+"/invitations", rec,
		map[string]any{"candidate_name": "Grace", "candidate_email": "grace@example.com"}), 201, &inv)
	return inv.Invitation.ID, inv.Token
}

// finish ends a submission with status and scorecard, as a worker would.
func (e *env) finish(t *testing.T, id, status string, card string) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.store.ClaimSubmission(ctx, id, "test-worker", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := e.store.FinishGrading(ctx, id, "test-worker", store.GradeResult{Status: status, Score: 40, MaxScore: 100,
		Takehome: "shopping-list", SuiteVersion: "1", Scorecard: json.RawMessage(card)}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) attemptsLeft(t *testing.T, token string) (left, allowed int) {
	t.Helper()
	var v struct {
		AttemptsLeft    int `json:"attempts_left"`
		AttemptsAllowed int `json:"attempts_allowed"`
	}
	e.mustJSON(e.do("GET", "/api/v1/candidate", token, nil), 200, &v)
	return v.AttemptsLeft, v.AttemptsAllowed
}

const startFailedCard = `{"status":"start_failed","score":0,"max_score":100,
	"phases":[{"name":"build","status":"ok","output_tail":"built"},
	          {"name":"web","status":"failed","message":"listened on 3000 instead: read the port from PORT","output_tail":"listening on :3000"}],
	"checks":[{"id":"a.visible","visibility":"visible","status":"not_run","max_score":100,"evidence":{"secret":"x"}}]}`

// TestCandidateReadsWhyTheStartFailed: the failed phase, its reason and the
// end of its output, under a view that shows anything, and nothing under nothing.
func TestCandidateReadsWhyTheStartFailed(t *testing.T) {
	e := newEnv(t)
	for view, shown := range map[string]bool{"total": true, "visible_checks": true, "nothing": false} {
		_, token := e.invite(t, view, 2)
		var sub struct{ ID string }
		e.mustJSON(e.do("POST", "/api/v1/candidate/submissions", token, map[string]any{"repo_url": "https://github.com/g/lists"}), 202, &sub)
		e.finish(t, sub.ID, store.StatusStartFailed, startFailedCard)
		var got struct {
			Status  string
			Failure *struct {
				Phase      string
				Message    string
				OutputTail string `json:"output_tail"`
			}
		}
		e.mustJSON(e.do("GET", "/api/v1/candidate/submissions/"+sub.ID, token, nil), 200, &got)
		switch {
		case shown && (got.Failure == nil || got.Failure.Phase != "web" || !strings.Contains(got.Failure.Message, "read the port from PORT") ||
			got.Failure.OutputTail != "listening on :3000"):
			t.Errorf("%s view: %+v", view, got.Failure)
		case !shown && got.Failure != nil:
			t.Errorf("nothing view shares the failure %+v", got.Failure)
		}
	}
}

// TestPlatformErrorGivesTheAttemptBack: an attempt that ended in error
// (the platform's fault) is not counted.
func TestPlatformErrorGivesTheAttemptBack(t *testing.T) {
	e := newEnv(t)
	_, token := e.invite(t, "total", 1)
	var sub struct{ ID string }
	e.mustJSON(e.do("POST", "/api/v1/candidate/submissions", token, map[string]any{"repo_url": "https://github.com/g/lists"}), 202, &sub)
	if left, _ := e.attemptsLeft(t, token); left != 0 {
		t.Fatalf("attempts left while grading: %d", left)
	}
	e.finish(t, sub.ID, store.StatusError, `{"status":"error"}`)
	if left, _ := e.attemptsLeft(t, token); left != 1 {
		t.Fatalf("attempts left after a platform error: %d, want 1", left)
	}
	var got struct {
		Counts bool `json:"counts_as_attempt"`
	}
	e.mustJSON(e.do("GET", "/api/v1/candidate/submissions/"+sub.ID, token, nil), 200, &got)
	if got.Counts {
		t.Error("the errored attempt says it counts")
	}
	var again struct{ Attempt int }
	e.mustJSON(e.do("POST", "/api/v1/candidate/submissions", token, map[string]any{"repo_url": "https://github.com/g/lists"}), 202, &again)
	if again.Attempt != 2 {
		t.Errorf("the retry is attempt %d, want 2 (numbers are not reused)", again.Attempt)
	}
}

// TestMistypedRepositoryCostsNothing: with the probe wired (loopback git
// server, the dev/test switch on), a missing repository or branch is
// refused with 422 and nothing is created.
func TestMistypedRepositoryCostsNothing(t *testing.T) {
	// Served at http://127.0.0.1:PORT/acme/lists: OWNER/REPOSITORY, as intake wants.
	repo, _ := gittest.MakeRepo(t, map[string]string{"README.md": "hi"})
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "acme"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(repo, filepath.Join(root, "acme", "lists")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gittest.Handler(t, root))
	t.Cleanup(srv.Close)
	url, host := srv.URL+"/acme/lists", strings.TrimPrefix(srv.URL, "http://")
	probe := func(ctx context.Context, repoURL, ref string) error {
		if strings.HasPrefix(repoURL, "https://github.com/") {
			return nil // the fixtures' made-up repositories
		}
		return gitfetch.Probe(ctx, repoURL, ref, gitfetch.Options{AllowLoopbackHTTP: true})
	}
	e := newEnvWith(t, intake.Policy{Hosts: []string{"github.com", host}, AllowLoopback: true, Probe: probe})
	_, token := e.invite(t, "total", 1)
	before := e.snapshot()
	for _, tc := range []struct{ url, ref, want string }{
		{url + "-typo", "", "no public repository"},
		{url, "mian", `no branch or tag "mian"`},
	} {
		resp := e.do("POST", "/api/v1/candidate/submissions", token, map[string]any{"repo_url": tc.url, "ref": tc.ref})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s@%s: status %d, want 422: %s", tc.url, tc.ref, resp.StatusCode, errorOrBody(resp))
		}
		if msg := errorBody(t, resp); !strings.Contains(msg, tc.want) {
			t.Errorf("%s@%s: %q, want %q", tc.url, tc.ref, msg, tc.want)
		}
	}
	if after := e.snapshot(); after != before {
		t.Fatalf("a refused submission changed rows: %+v -> %+v", before, after)
	}
	if left, _ := e.attemptsLeft(t, token); left != 1 {
		t.Fatalf("attempts left %d", left)
	}
	e.mustJSON(e.do("POST", "/api/v1/candidate/submissions", token, map[string]any{"repo_url": url, "ref": "main"}), 202, nil)
}

// TestRecruiterGrantsReissuesRestores: more attempts and time (mailed),
// a fresh link that retires the old one, and undoing an unopened revoke.
func TestRecruiterGrantsReissuesRestores(t *testing.T) {
	e := newEnv(t)
	rec := e.a.tokens[store.RoleRecruiter]
	id, token := e.invite(t, "total", 1)
	e.mustJSON(e.do("POST", "/api/v1/candidate/submissions", token, map[string]any{"repo_url": "https://github.com/g/lists"}), 202, nil)
	var inv store.Invitation
	e.mustJSON(e.do("POST", "/api/v1/invitations/"+id+"/grant", rec, map[string]any{"extra_attempts": 1, "extra_hours": 24}), 200, &inv)
	if left, allowed := e.attemptsLeft(t, token); left != 1 || allowed != 2 {
		t.Errorf("after the grant: %d of %d left", left, allowed)
	}
	if inv.ExpiresAt == nil || time.Until(*inv.ExpiresAt) < 90*time.Hour {
		t.Errorf("deadline %v, want 72 + 24 hours away", inv.ExpiresAt)
	}
	for _, bad := range []map[string]any{{"extra_attempts": 0}, {"extra_attempts": -1}, {"extra_hours": 10000}, {"extra_attempts": 20}} {
		if resp := e.do("POST", "/api/v1/invitations/"+id+"/grant", rec, bad); resp.StatusCode != 400 {
			t.Errorf("grant %v: %d", bad, resp.StatusCode)
		}
	}

	var link struct{ Token string }
	e.mustJSON(e.do("POST", "/api/v1/invitations/"+id+"/link", rec, nil), 201, &link)
	if resp := e.do("GET", "/api/v1/candidate", token, nil); resp.StatusCode != 404 {
		t.Errorf("old link after reissue: %d", resp.StatusCode)
	}
	if left, _ := e.attemptsLeft(t, link.Token); left != 1 {
		t.Errorf("new link: %d attempts left", left)
	}
	var mails int
	e.store.SQL().QueryRow(`SELECT count(*) FROM mail_messages WHERE subject_id = $1 AND kind IN ('grant', 'new_link')
		AND (kind = 'grant' OR text_body LIKE '%' || $2 || '%')`, id, link.Token).Scan(&mails)
	if mails != 2 {
		t.Errorf("%d of the grant and new-link mails queued", mails)
	}
	var audited int
	e.store.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE target_id = $1 AND action IN ('invitation.granted', 'invitation.link_reissued')`, id).Scan(&audited)
	if audited != 2 {
		t.Errorf("%d of 2 changes audited", audited)
	}

	// Restore: an unopened revoked invitation works again; an opened one stays revoked.
	unopened := e.freshInvitation(e.a)
	e.mustJSON(e.do("DELETE", "/api/v1/invitations/"+unopened, rec, nil), 204, nil)
	e.mustJSON(e.do("POST", "/api/v1/invitations/"+unopened+"/restore", rec, nil), 200, &inv)
	if inv.State != store.InvitationPending || inv.RevokedAt != nil {
		t.Errorf("restored invitation %+v", inv)
	}
	e.mustJSON(e.do("DELETE", "/api/v1/invitations/"+id, rec, nil), 204, nil)
	if resp := e.do("POST", "/api/v1/invitations/"+id+"/restore", rec, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("restore of an opened invitation: %d", resp.StatusCode)
	}
	if resp := e.do("POST", "/api/v1/invitations/"+id+"/grant", rec, map[string]any{"extra_attempts": 1}); resp.StatusCode != http.StatusConflict {
		t.Errorf("grant on a revoked invitation: %d", resp.StatusCode)
	}
}

// TestSharedScorecardShowsHiddenChecks: after a reviewer shares, the
// candidate sees every check, still without evidence.
func TestSharedScorecardShowsHiddenChecks(t *testing.T) {
	e := newEnv(t)
	_, token := e.invite(t, "visible_checks", 1)
	var sub struct{ ID string }
	e.mustJSON(e.do("POST", "/api/v1/candidate/submissions", token, map[string]any{"repo_url": "https://github.com/g/lists"}), 202, &sub)
	e.finish(t, sub.ID, store.StatusGraded, `{"status":"graded","score":40,"max_score":100,"checks":[
		{"id":"a.visible","visibility":"visible","status":"passed","score":40,"max_score":40},
		{"id":"b.hidden","visibility":"hidden","status":"failed","max_score":60,"message":"no retry","evidence":{"secret":"x"}}]}`)
	view := func() string { return errorOrBody(e.do("GET", "/api/v1/candidate/submissions/"+sub.ID, token, nil)) }
	if raw := view(); strings.Contains(raw, "b.hidden") {
		t.Fatalf("hidden check shown before sharing: %s", raw)
	}
	e.mustJSON(e.do("POST", "/api/v1/submissions/"+sub.ID+"/share", e.a.tokens[store.RoleReviewer], nil), 200, nil)
	if raw := view(); !strings.Contains(raw, "b.hidden") || !strings.Contains(raw, "no retry") || strings.Contains(raw, "secret") || strings.Contains(raw, "unshared") {
		t.Fatalf("after sharing: %s", raw)
	}
	var audited int
	e.store.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE target_id = $1 AND action = 'submission.scorecard_shared'`, sub.ID).Scan(&audited)
	if audited != 1 {
		t.Errorf("share audited %d times", audited)
	}
}
