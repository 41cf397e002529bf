package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/api"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/testenv"
)

// zipBody is a request body sent as application/zip.
type zipBody []byte

func helloZip(slug string) zipBody { return testenv.Zip(testenv.HelloBundle(slug, "hello\n")) }

// takehome is organisation o's take-home "fixture" (made on first use).
func (e *env) takehome(o *org) string {
	if o.takehome == "" {
		th, err := e.store.CreateTakehome(context.Background(), store.Actor{OrgID: o.id, Label: "test"}, "fixture",
			&store.TakehomeVersion{SuiteVersion: "1", Title: "Fixture", Source: store.TakehomeSourceUpload, Bundle: helloZip("fixture")})
		if err != nil {
			e.t.Fatal(err)
		}
		o.takehome = th.ID
	}
	return o.takehome
}

type problemsBody struct {
	Error    string   `json:"error"`
	Problems []string `json:"problems"`
}

// A bundle that does not load is refused with each problem at its line, and
// nothing is stored; what is no bundle at all is a 400; a zip past the limit 413.
func TestUploadRefusesBadBundlesSayingWhere(t *testing.T) {
	e := newEnv(t)
	rec := e.a.tokens[store.RoleRecruiter]
	files := testenv.HelloBundle("broken", "hello\n")
	files["takehome.yaml"] = strings.Replace(files["takehome.yaml"], "    points: 90\n", "    points: 90\n    stauts: 200\n", 1)
	var body problemsBody
	e.mustJSON(e.do("POST", "/api/v1/custom-takehomes", rec, zipBody(testenv.Zip(files))), http.StatusUnprocessableEntity, &body)
	if len(body.Problems) == 0 || body.Problems[0] != `takehome.yaml:11:5: unknown key "stauts"` || !strings.Contains(body.Problems[0], "stauts") {
		t.Fatalf("problems = %q, want the unknown key at 11:5", body.Problems)
	}
	if !strings.Contains(body.Error, "takehome.yaml:11:5") {
		t.Fatalf("error = %q, want the problem in it", body.Error)
	}

	for name, c := range map[string]struct {
		body any
		want int
		says string
	}{
		"not a zip":         {zipBody("PK? no"), 400, "not a readable zip"},
		"no takehome.yaml":  {zipBody(testenv.Zip(map[string]string{"README.md": "hi"})), 400, "no takehome.yaml"},
		"no fetcher wired":  {map[string]any{"repo_url": "https://github.com/a/b"}, 400, "upload a zip"},
		"over the limit":    {zipBody(make([]byte, rules.MaxBundleBytes+1)), 413, "larger than"},
		"a built-in's slug": {helloZip("planets-crud"), 409, "built-in"},
	} {
		t.Run(name, func(t *testing.T) {
			resp := e.do("POST", "/api/v1/custom-takehomes", rec, c.body)
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.want, errorOrBody(resp))
			}
			if msg := errorBody(t, resp); !strings.Contains(msg, c.says) {
				t.Fatalf("error %q does not say %q", msg, c.says)
			}
		})
	}
	var page struct{ Items []store.Takehome }
	e.mustJSON(e.do("GET", "/api/v1/custom-takehomes", rec, nil), 200, &page)
	if len(page.Items) != 0 {
		t.Fatalf("refused uploads were stored: %+v", page.Items)
	}
}

// An assessment can be made only of a version whose check passed, and only
// by the organisation that owns it; its candidates read the pinned version.
func TestAssessmentsOfCustomTakehomes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	recA, recB := e.a.tokens[store.RoleRecruiter], e.b.tokens[store.RoleRecruiter]
	var th store.Takehome
	e.mustJSON(e.do("POST", "/api/v1/custom-takehomes", recA, helloZip("hello-th")), 201, &th)
	if th.Latest == nil || th.Latest.Status != store.TakehomeChecking || th.Latest.Number != 1 {
		t.Fatalf("created %+v", th)
	}
	newAssessment := func(token string, body map[string]any) *http.Response {
		body["title"] = "Custom"
		return e.do("POST", "/api/v1/assessments", token, body)
	}
	resp := newAssessment(recA, map[string]any{"takehome": "hello-th"})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(errorBody(t, resp), "has passed its check") {
		t.Fatalf("assessment of a take-home being checked: %d", resp.StatusCode)
	}
	if err := e.store.FinishTakehomeCheck(ctx, e.a.id, th.Latest.ID, store.TakehomeRejected, json.RawMessage(`{"rows":[]}`), "reference scored 10/100"); err != nil {
		t.Fatal(err)
	}
	resp = newAssessment(recA, map[string]any{"takehome": "hello-th", "takehome_version": 1})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(errorBody(t, resp), "reference scored 10/100") {
		t.Fatalf("assessment of a rejected version: %d", resp.StatusCode)
	}

	var v2 store.TakehomeVersion
	e.mustJSON(e.do("POST", "/api/v1/custom-takehomes/"+th.ID+"/versions", recA, helloZip("hello-th")), 201, &v2)
	if err := e.store.FinishTakehomeCheck(ctx, e.a.id, v2.ID, store.TakehomeIssuable, json.RawMessage(`{"rows":[],"issuable":true}`), ""); err != nil {
		t.Fatal(err)
	}
	var as store.Assessment
	e.mustJSON(newAssessment(recA, map[string]any{"takehome": "hello-th"}), 201, &as)
	if as.TakehomeVersionID == nil || *as.TakehomeVersionID != v2.ID {
		t.Fatalf("assessment pins %v, want version 2 (%s)", as.TakehomeVersionID, v2.ID)
	}

	// The catalogue: A's shows it beside the built-ins, B's does not.
	catalogue := func(token string) map[string]bool {
		var page struct{ Items []struct{ Slug string } }
		e.mustJSON(e.do("GET", "/api/v1/takehomes", token, nil), 200, &page)
		out := map[string]bool{}
		for _, it := range page.Items {
			out[it.Slug] = true
		}
		return out
	}
	if got := catalogue(recA); !got["hello-th"] || !got["planets-crud"] {
		t.Fatalf("A's catalogue = %v", got)
	}
	if got := catalogue(recB); got["hello-th"] || !got["planets-crud"] {
		t.Fatalf("B's catalogue = %v", got)
	}
	// B can neither make an assessment of it, nor read, nor add to it.
	resp = newAssessment(recB, map[string]any{"takehome": "hello-th"})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(errorBody(t, resp), "unknown takehome") {
		t.Fatalf("B's assessment of A's take-home: %d", resp.StatusCode)
	}
	for _, path := range []string{"/api/v1/custom-takehomes/" + th.ID, "/api/v1/custom-takehomes/" + th.ID + "/versions/2",
		"/api/v1/custom-takehomes/" + th.ID + "/versions/2/bundle"} {
		if resp := e.do("GET", path, recB, nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("B GET %s: %d", path, resp.StatusCode)
		}
	}
	if resp := e.do("POST", "/api/v1/custom-takehomes/"+th.ID+"/versions", recB, helloZip("hello-th")); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("B adds a version to A's take-home: %d", resp.StatusCode)
	}

	// A's recruiter reads the verdict table and the bundle as uploaded.
	var shown store.TakehomeVersion
	e.mustJSON(e.do("GET", "/api/v1/custom-takehomes/"+th.ID+"/versions/1", recA, nil), 200, &shown)
	if shown.Status != store.TakehomeRejected || shown.Message != "reference scored 10/100" || strings.ReplaceAll(string(shown.Report), " ", "") != `{"rows":[]}` {
		t.Fatalf("version 1 = %+v (report %s)", shown, shown.Report)
	}
	resp = e.do("GET", "/api/v1/custom-takehomes/"+th.ID+"/versions/2/bundle", recA, nil)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(raw) != string(helloZip("hello-th")) {
		t.Fatalf("bundle: %d, %d bytes", resp.StatusCode, len(raw))
	}

	// The candidate reads the pinned version's brief and gets its starter kit from their own link.
	var inv struct{ Token string }
	e.mustJSON(e.do("POST", "/api/v1/assessments/"+as.ID+"/invitations", recA,
		map[string]any{"candidate_name": "Grace", "candidate_email": "grace@example.com"}), 201, &inv)
	var cand struct {
		Brief         string `json:"brief"`
		StarterKitURL string `json:"starter_kit_url"`
	}
	e.mustJSON(e.do("GET", "/api/v1/candidate", inv.Token, nil), 200, &cand)
	if !strings.Contains(cand.Brief, "Serve `hello`") || cand.StarterKitURL != "http://assay.test/c/"+inv.Token+"/starter.zip" {
		t.Fatalf("candidate sees %+v", cand)
	}
}

// A bundle in a repository is fetched through the server's fetcher once the
// URL passed the same checks as a candidate's.
func TestTakehomeFromRepository(t *testing.T) {
	var fetched []string
	e := newEnvWith(t, intake.Policy{Hosts: []string{"github.com"}}, func(d *api.Deps) {
		d.FetchBundle = func(ctx context.Context, repoURL, ref string) ([]byte, string, error) {
			fetched = append(fetched, repoURL+"@"+ref)
			if strings.HasSuffix(repoURL, "/gone") {
				return nil, "", errors.New("remote: repository not found")
			}
			return helloZip("from-git"), "0123456789abcdef0123456789abcdef01234567", nil
		}
	})
	rec := e.a.tokens[store.RoleRecruiter]
	resp := e.do("POST", "/api/v1/custom-takehomes", rec, map[string]any{"repo_url": "https://evil.example/acme/th"})
	if resp.StatusCode != http.StatusBadRequest || len(fetched) != 0 {
		t.Fatalf("a host not allowed: %d, fetched %v", resp.StatusCode, fetched)
	}
	resp = e.do("POST", "/api/v1/custom-takehomes", rec, map[string]any{"repo_url": "https://github.com/acme/gone"})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorBody(t, resp), "repository not found") {
		t.Fatalf("a repository that cannot be fetched: %d", resp.StatusCode)
	}
	var th store.Takehome
	e.mustJSON(e.do("POST", "/api/v1/custom-takehomes", rec, map[string]any{"repo_url": "https://github.com/acme/th", "ref": "v2"}), 201, &th)
	v := th.Latest
	if th.Slug != "from-git" || v.Source != store.TakehomeSourceGit || v.RepoURL == nil || *v.RepoURL != "https://github.com/acme/th" ||
		v.CommitSHA == nil || !strings.HasPrefix(*v.CommitSHA, "0123") {
		t.Fatalf("created %+v / %+v", th, v)
	}
}
