package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
)

// shopCode is a small candidate repository: a changed starter README and
// Procfile, Go code with a test, a migration that adds price, a vendored
// folder and a binary.
var shopCode = fstest.MapFS{
	"README.md":                      {Data: []byte("# Shop\n\nRun it with make.\n")},
	"Procfile":                       {Data: []byte("build: go build -o serve .\nweb: ./serve\n")},
	"main.go":                        {Data: []byte("package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n")},
	"main_test.go":                   {Data: []byte("package main\n")},
	"go.mod":                         {Data: []byte("module shop\n\nrequire github.com/jackc/pgx/v5 v5.0.0\n")},
	"migrations/001_items.sql":       {Data: []byte("CREATE TABLE items (id int);\n")},
	"migrations/002_price.sql":       {Data: []byte("ALTER TABLE items ADD COLUMN price int;\n")},
	"node_modules/left-pad/index.js": {Data: []byte("module.exports = 1\n")},
	"serve":                          {Data: []byte("\x7fELF\x00\x00")},
}

// codeScorecard is a scorecard whose checks concern the Procfile and the
// price migration.
func codeScorecard() *grading.Scorecard {
	return &grading.Scorecard{Takehome: helloSuite.Slug, SuiteVersion: "1", Status: grading.StatusGraded, Score: 10, MaxScore: 20,
		Categories: []grading.CategoryScore{{Name: grading.Setup, Score: 10, MaxScore: 20}},
		Checks: []grading.CheckResult{
			{ID: "setup.procfile", Title: "Procfile", Category: grading.Setup, Status: grading.CheckPassed, Score: 10, MaxScore: 10, Visibility: grading.Visible},
			{ID: "migrations.price_column", Title: "price", Category: grading.Setup, Status: grading.CheckFailed, MaxScore: 10, Visibility: grading.Visible},
		}}
}

func takeCode(t testing.TB, fsys fstest.MapFS) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.Take(fsys, snapshot.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCodeBrowserPages: the scorecard shows the facts and links checks to their
// files; the browser shows the tree, a highlighted file and why a file was left
// out; the diff says what changed from the starter kit; a reviewer's comment
// shows on the file and the scorecard; a recruiter may read but not comment.
func TestCodeBrowserPages(t *testing.T) {
	e := newEnv(t, "")
	id, token := gradedWithCode(t, e, "Ada", codeScorecard(), takeCode(t, shopCode))
	rev := staffClient(e, store.RoleReviewer)
	get := func(c *http.Client, path string) (int, string) {
		t.Helper()
		resp, err := c.Get(e.url + path)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readBody(t, resp)
	}

	status, body := get(rev, "/submissions/"+id)
	for _, want := range []string{"Go 8 lines", "1 test file", "github.com/jackc/pgx/v5", `path=README.md">README.md</a>`,
		"only the graded commit is known", `code?path=Procfile&amp;run=1"><code>Procfile</code>`,
		`code?path=migrations%2F002_price.sql&amp;run=1"><code>migrations/002_price.sql</code>`} {
		if !strings.Contains(body, want) {
			t.Errorf("scorecard lacks %q", want)
		}
	}
	if strings.Contains(body, "001_items.sql</code></a>") {
		t.Error("the price check links the migration that does not touch price")
	}
	if status != http.StatusOK {
		t.Fatalf("scorecard: %d", status)
	}

	status, body = get(rev, "/submissions/"+id+"/code")
	if status != http.StatusOK || !strings.Contains(body, `<h2 id="file"><code>README.md</code></h2>`) || !strings.Contains(body, `data-path="migrations/002_price.sql"`) ||
		!strings.Contains(body, "node_modules/") || !strings.Contains(body, snapshot.SkipBinary) {
		t.Fatalf("code page: %d\n%s", status, body)
	}
	status, body = get(rev, "/submissions/"+id+"/code?run=1&path=main.go")
	if status != http.StatusOK || !strings.Contains(body, `<tr id="L7">`) || strings.Contains(body, `id="L8"`) ||
		!strings.Contains(body, `<span class="kd">func</span>`) {
		t.Fatalf("main.go: %d\n%s", status, body)
	}
	if status, body = get(rev, "/submissions/"+id+"/code?path=serve"); status != http.StatusNotFound || !strings.Contains(body, "skipped (binary") {
		t.Errorf("a skipped file: %d", status)
	}
	if status, _ = get(rev, "/submissions/"+id+"/code?run=x"); status != http.StatusBadRequest {
		t.Errorf("a run that is not a number: %d", status)
	}
	if status, body = get(rev, "/submissions/"+id+"/code?run=4"); status != http.StatusOK || !strings.Contains(body, "No code was kept") {
		t.Errorf("a run without code: %d", status)
	}

	status, body = get(rev, "/submissions/"+id+"/code/diff")
	for _, want := range []string{`diff-changed">changed</span> <a href="/submissions/` + id + `/code?run=1&amp;path=Procfile">`,
		`diff-added">added</span>`, `<code>&#43; build: go build -o serve .</code>`} {
		if !strings.Contains(body, want) {
			t.Errorf("diff lacks %q\n%s", want, body)
		}
	}
	if status != http.StatusOK {
		t.Fatalf("diff: %d", status)
	}

	page := e.url + "/submissions/" + id + "/code?path=main.go"
	form := url.Values{"csrf_token": {csrfTokenOf(t, rev, page)}, "run": {"1"}, "path": {"main.go"}, "line": {"6"}, "body": {"Println in a server?"}}
	resp, err := rev.PostForm(e.url+"/submissions/"+id+"/comments", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "#L6") {
		t.Fatalf("comment: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	form.Set("line", "99")
	if resp, _ := rev.PostForm(e.url+"/submissions/"+id+"/comments", form); readBody(t, resp) == "" || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a line past the end: %d", resp.StatusCode)
	}
	if _, body = get(rev, "/submissions/"+id+"/code?path=main.go"); !strings.Contains(body, "Println in a server?") || !strings.Contains(body, "reviewer@acme.test") {
		t.Error("the file does not show the comment")
	}
	if _, body = get(rev, "/submissions/"+id); !strings.Contains(body, "main.go:6") || !strings.Contains(body, "Println in a server?") {
		t.Error("the scorecard does not show the comment")
	}

	rec := staffClient(e, store.RoleRecruiter)
	if _, body = get(rec, "/submissions/"+id+"/code?path=main.go"); strings.Contains(body, `id="comment-form"`) || !strings.Contains(body, "Println in a server?") {
		t.Error("a recruiter is offered the comment form, or does not see comments")
	}
	form.Set("line", "6")
	form.Set("csrf_token", csrfTokenOf(t, rec, page))
	if resp, _ := rec.PostForm(e.url+"/submissions/"+id+"/comments", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a recruiter comments: %d", resp.StatusCode)
	}

	// The candidate's page never shows a comment.
	if _, body = get(http.DefaultClient, "/c/"+token); strings.Contains(body, "Println in a server?") || strings.Contains(body, "main.go:6") {
		t.Error("the candidate's page shows a reviewer's comment")
	}
}

// TestCodeRoutesEveryRoleOtherOrganisation: every code route, for every role,
// on the organisation's own submission and on another organisation's (404),
// and without a session (sign-in).
func TestCodeRoutesEveryRoleOtherOrganisation(t *testing.T) {
	e := newEnv(t, "")
	own, _ := gradedWithCode(t, e, "Ada", codeScorecard(), takeCode(t, shopCode))
	other := storeOtherOrgCode(t, e)
	reviewers := map[string]bool{store.RoleAdmin: true, store.RoleReviewer: true}
	type route struct {
		method, path string
		may          map[string]bool // nil: every staff role
		ok           int
	}
	routes := []route{
		{"GET", "/submissions/{id}/code", nil, http.StatusOK},
		{"GET", "/submissions/{id}/code?path=main.go", nil, http.StatusOK},
		{"GET", "/submissions/{id}/code/diff", nil, http.StatusOK},
		{"POST", "/submissions/{id}/comments", reviewers, http.StatusSeeOther},
	}
	for _, r := range routes {
		for _, role := range []string{store.RoleAdmin, store.RoleRecruiter, store.RoleReviewer} {
			for _, target := range []string{own, other} {
				c := staffClient(e, role)
				path := strings.Replace(r.path, "{id}", target, 1)
				var resp *http.Response
				var err error
				if r.method == "GET" {
					resp, err = c.Get(e.url + path)
				} else {
					form := url.Values{"csrf_token": {csrfTokenOf(t, c, e.url+"/submissions")}, "run": {"1"}, "path": {"main.go"},
						"line": {"1"}, "body": {"a comment"}}
					resp, err = c.PostForm(e.url+path, form)
				}
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				want := r.ok
				switch {
				case r.may != nil && !r.may[role]:
					want = http.StatusForbidden
				case target == other:
					want = http.StatusNotFound
				}
				if resp.StatusCode != want {
					t.Errorf("%s %s as %s on %s: %d, want %d", r.method, r.path, role,
						map[bool]string{true: "own", false: "other"}[target == own], resp.StatusCode, want)
				}
			}
		}
		anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		path := strings.Replace(r.path, "{id}", own, 1)
		resp, err := anon.Do(must(http.NewRequest(r.method, e.url+path, nil)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusSeeOther && !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("%s %s without a session: %d to %q", r.method, r.path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// storeOtherOrgCode makes a submission with code in another organisation.
func storeOtherOrgCode(t *testing.T, e *env) string {
	t.Helper()
	ctx := context.Background()
	org, err := e.st.EnsureOrganization(ctx, "Elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	a := store.Actor{OrgID: org.ID, Label: "test"}
	as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: "T", HoursAllowed: 24, MaxSubmissions: 3, CandidateView: store.ViewTotal}
	if err := e.st.CreateAssessment(ctx, a, &as); err != nil {
		t.Fatal(err)
	}
	tok, err := e.st.CreateInvitation(ctx, a, &store.Invitation{AssessmentID: as.ID, CandidateName: "Eve", CandidateEmail: "eve@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.st.Submit(ctx, tok, "https://github.com/eve/x", "")
	if err != nil {
		t.Fatal(err)
	}
	storeRun(t, e, sub.ID, codeScorecard(), takeCode(t, shopCode))
	return sub.ID
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
