package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/assayhq/assay/graders"
	"github.com/assayhq/assay/internal/api"
	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/catalog"
	"github.com/assayhq/assay/internal/demo"
	"github.com/assayhq/assay/internal/gitfetch/gittest"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/gin-gonic/gin"
)

// TestEndToEnd: the demo data is seeded, a recruiter invites a candidate,
// the candidate submits a reference solution served over git's smart HTTP on
// loopback, a worker grades it, and the API's scorecard has the same
// verdicts as `assay grade` on the same commit.
func TestEndToEnd(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	suite := graders.All["shopping-list"]

	// The reference solution as a repository at http://127.0.0.1:PORT/acme/lists.
	root := t.TempDir()
	dest := filepath.Join(root, "acme", "lists")
	if err := gradingtest.Repo(filepath.Join("..", "..", "graders", "shopping-list", "testdata", "solutions", "typescript"), dest); err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, dest, "config", "uploadpack.allowAnySHA1InWant", "true")
	git := httptest.NewServer(gittest.Handler(t, root))
	defer git.Close()
	repo := git.URL + "/acme/lists"
	gitHost := git.Listener.Addr().String()

	if _, err := demo.Seed(ctx, h.st, []demo.Takehome{{Slug: suite.Slug, Title: suite.Title, Version: suite.Version}}, "demo-password-123"); err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	r := gin.New()
	err := api.Register(r, api.Deps{Store: h.st, Tokens: auth.NewTokens([]byte("e2e-secret-key-0123456789abcdef0123")),
		Throttle: auth.NewThrottle(testenv.NewRedisClient(t), "test", auth.DefaultLimits), Catalog: catalog.New(catalog.Takehome{Slug: suite.Slug, Title: suite.Title, Version: suite.Version, Brief: suite.Brief}), BaseURL: "http://assay.test",
		Intake: intake.Policy{Hosts: []string{"github.com", gitHost}, AllowLoopback: true}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	defer srv.Close()
	call := func(method, path, token string, body, out any) int {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
	login := func(email string) string {
		var b struct{ Token string }
		if code := call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": "demo-password-123"}, &b); code != 200 {
			t.Fatalf("login %s: %d", email, code)
		}
		return b.Token
	}
	recruiter, reviewer := login("recruiter@demo.test"), login("reviewer@demo.test")
	var list struct{ Items []store.Assessment }
	call("GET", "/api/v1/assessments", recruiter, nil, &list)
	if len(list.Items) != 1 {
		t.Fatalf("seeded assessments: %+v", list.Items)
	}
	var inv struct{ Token string }
	if code := call("POST", "/api/v1/assessments/"+list.Items[0].ID+"/invitations", recruiter,
		map[string]string{"candidate_name": "Ada", "candidate_email": "ada@example.com"}, &inv); code != 201 {
		t.Fatalf("invite: %d", code)
	}
	var sub struct{ ID string }
	if code := call("POST", "/api/v1/candidate/submissions", inv.Token, map[string]string{"repo_url": repo}, &sub); code != 202 {
		t.Fatalf("submit %s: %d", repo, code)
	}

	demoOrg, err := h.st.EnsureOrganization(ctx, demo.OrgName)
	if err != nil {
		t.Fatal(err)
	}
	h.actor.OrgID = demoOrg.ID
	p := h.pipeline("e2e", 30*time.Second)
	p.Suites = graders.All
	h.runWorker(p, testenv.RedisAddr(), 1)
	h.waitFinished([]string{sub.ID}, 8*time.Minute)

	var got struct {
		Status    string
		Scorecard *grading.Scorecard
	}
	call("GET", "/api/v1/submissions/"+sub.ID, reviewer, nil, &got)
	if got.Status != store.StatusGraded || got.Scorecard == nil {
		t.Fatalf("API: status %s, scorecard %v", got.Status, got.Scorecard)
	}
	// The command line's grading of the same commit.
	env, err := gradingtest.Shared()
	if err != nil {
		t.Fatal(err)
	}
	local, err := env.Grade(ctx, suite, dest, gradingtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Scorecard.Commit != local.Commit || got.Scorecard.Seed != local.Seed {
		t.Fatalf("commit/seed differ: API %s/%d, assay grade %s/%d", got.Scorecard.Commit, got.Scorecard.Seed, local.Commit, local.Seed)
	}
	verdicts := func(c *grading.Scorecard) map[string]string {
		m := map[string]string{}
		for _, ch := range c.Checks {
			m[ch.ID] = ch.Status
		}
		return m
	}
	a, b := verdicts(got.Scorecard), verdicts(local)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("verdicts differ: API %v, assay grade %v", a, b)
	}
	for id, v := range b {
		if a[id] != v {
			t.Errorf("check %s: API %s, assay grade %s", id, a[id], v)
		}
	}
	if got.Scorecard.Score != local.Score {
		t.Errorf("score: API %d, assay grade %d", got.Scorecard.Score, local.Score)
	}
}
