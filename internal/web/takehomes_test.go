package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/testenv"
)

// postBundle sends the upload form with zip as its file.
func postBundle(t *testing.T, c *http.Client, page, action string, zip []byte) *http.Response {
	t.Helper()
	token := csrfTokenOf(t, c, page)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", token)
	fw, _ := mw.CreateFormFile("bundle", "bundle.zip")
	fw.Write(zip)
	mw.Close()
	resp, err := c.Post(action, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// A recruiter uploads a bundle: one with problems comes back with each at its
// line; a good one is stored and checked, and once issuable it is offered
// beside the built-in take-homes, pinned by the assessment made of it.
func TestCustomTakehomeFromTheDashboard(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	rec := staffClient(e, store.RoleRecruiter)
	list := e.url + "/custom-takehomes"

	files := testenv.HelloBundle("hello-th", "hello\n")
	files["takehome.yaml"] = strings.Replace(files["takehome.yaml"], "    points: 90\n", "    points: 90\n    stauts: <b>200</b>\n", 1)
	resp := postBundle(t, rec, list, list, testenv.Zip(files))
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `takehome.yaml:11:5: unknown key &#34;stauts&#34;`) {
		t.Fatalf("broken bundle: %d\n%s", resp.StatusCode, body)
	}
	resp = postBundle(t, rec, list, list, []byte("not a zip"))
	if body := readBody(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "not a readable zip") {
		t.Fatalf("not a zip: %d\n%s", resp.StatusCode, body)
	}

	resp = postBundle(t, rec, list, list, testenv.Zip(testenv.HelloBundle("hello-th", "hello\n")))
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/custom-takehomes/") {
		t.Fatalf("upload: %d to %q", resp.StatusCode, loc)
	}
	id := strings.TrimPrefix(loc, "/custom-takehomes/")
	page, _ := rec.Get(e.url + loc)
	if body := readBody(t, page); !strings.Contains(body, "takehome-checking") || !strings.Contains(body, "Upload a new version") {
		t.Fatalf("take-home page:\n%s", body)
	}
	// Not offered while it is being checked.
	newForm, _ := rec.Get(e.url + "/assessments/new")
	if body := readBody(t, newForm); strings.Contains(body, `value="hello-th"`) {
		t.Fatal("a take-home being checked is offered for assessments")
	}

	_, versions, err := e.st.Takehome(ctx, e.org, id)
	if err != nil {
		t.Fatal(err)
	}
	report, _ := json.Marshal(map[string]any{"issuable": true, "rows": []map[string]any{
		{"name": "reference", "source": map[string]string{"dir": "reference"}, "score": 100, "max_score": 100, "status": "graded", "unexpected": []string{}}}})
	if err := e.st.FinishTakehomeCheck(ctx, e.org, versions[0].ID, store.TakehomeIssuable, report, ""); err != nil {
		t.Fatal(err)
	}
	page, _ = rec.Get(e.url + loc + "/versions/1")
	if body := readBody(t, page); !strings.Contains(body, "This version can be issued") || !strings.Contains(body, "<td>100/100</td>") {
		t.Fatalf("version page:\n%s", body)
	}
	token := csrfTokenOf(t, rec, e.url+"/assessments/new")
	resp, err = rec.PostForm(e.url+"/assessments", url.Values{"csrf_token": {token}, "takehome": {"hello-th"}, "title": {"Own"},
		"hours": {"24"}, "attempts": {"2"}, "candidate_view": {"total"}, "grading_mode": {"adaptive"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assessment of the custom take-home: %d", resp.StatusCode)
	}
	as, err := e.st.Assessment(ctx, e.org, strings.TrimPrefix(resp.Header.Get("Location"), "/assessments/"))
	if err != nil || as.TakehomeVersionID == nil || *as.TakehomeVersionID != versions[0].ID {
		t.Fatalf("assessment %+v (%v), want version 1 pinned", as, err)
	}

	// Its candidates download the bundle's starter kit through their own link.
	invite, err := e.st.CreateInvitation(ctx, e.actor(store.RoleRecruiter), &store.Invitation{AssessmentID: as.ID, CandidateName: "Ada", CandidateEmail: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	cand, _ := http.Get(e.url + "/c/" + invite)
	if body := readBody(t, cand); !strings.Contains(body, `href="/c/`+invite+`/starter.zip"`) || !strings.Contains(body, "Serve <code>hello</code>") {
		t.Fatalf("candidate page:\n%s", body)
	}
	kit, _ := http.Get(e.url + "/c/" + invite + "/starter.zip")
	raw := readBody(t, kit)
	zr, err := zip.NewReader(strings.NewReader(raw), int64(len(raw)))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "hello-th-starter/README.md" {
		t.Fatalf("starter kit: %d (%v)", kit.StatusCode, err)
	}
	if resp, _ := http.Get(e.url + "/c/not-a-token/starter.zip"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a made-up link's starter kit: %d", resp.StatusCode)
	}
}

// Reviewers read take-homes but do not upload; another organisation's
// take-home does not exist for this one.
func TestCustomTakehomesRolesAndOrganisations(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	other, err := e.st.EnsureOrganization(ctx, "Globex")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := e.st.CreateTakehome(ctx, store.Actor{OrgID: other.ID, Label: "test"}, "theirs",
		&store.TakehomeVersion{SuiteVersion: "1", Title: "Theirs", Source: store.TakehomeSourceUpload, Bundle: testenv.Zip(testenv.HelloBundle("theirs", "hello\n"))})
	if err != nil {
		t.Fatal(err)
	}
	rev := staffClient(e, store.RoleReviewer)
	resp, _ := rev.Get(e.url + "/custom-takehomes")
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || strings.Contains(body, "Add a take-home") || strings.Contains(body, "Theirs") {
		t.Fatalf("reviewer's list: %d\n%s", resp.StatusCode, body)
	}
	resp = postBundle(t, rev, e.url+"/custom-takehomes", e.url+"/custom-takehomes", testenv.Zip(testenv.HelloBundle("mine", "hello\n")))
	if resp.Body.Close(); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("reviewer's upload: %d", resp.StatusCode)
	}
	rec := staffClient(e, store.RoleRecruiter)
	for _, path := range []string{"/custom-takehomes/" + theirs.ID, "/custom-takehomes/" + theirs.ID + "/versions/1"} {
		if resp, _ := rec.Get(e.url + path); resp.Body.Close() != nil || resp.StatusCode != http.StatusNotFound {
			t.Fatalf("GET %s of another organisation: %d", path, resp.StatusCode)
		}
	}
	resp = postBundle(t, rec, e.url+"/custom-takehomes", e.url+"/custom-takehomes/"+theirs.ID+"/versions", testenv.Zip(testenv.HelloBundle("theirs", "hello\n")))
	if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a version of another organisation's take-home: %d", resp.StatusCode)
	}
}
