package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
)

// codedSubmission makes a new submission of org o graded once with a code
// snapshot holding main.go (3 lines) and README.md.
func (e *env) codedSubmission(o *org) string {
	ctx := context.Background()
	id := e.queuedSubmission(o)
	if _, err := e.store.ClaimSubmission(ctx, id, "test-worker", time.Minute); err != nil {
		e.t.Fatal(err)
	}
	snap, err := snapshot.Take(fstest.MapFS{
		"main.go":   {Data: []byte("package main\n\nfunc main() {}\n")},
		"README.md": {Data: []byte("# Shop\n")},
	}, snapshot.Limits{})
	if err != nil {
		e.t.Fatal(err)
	}
	err = e.store.FinishGrading(ctx, id, "test-worker", store.GradeResult{Status: store.StatusGraded, Score: 70, MaxScore: 100,
		Takehome: "planets-crud", SuiteVersion: "1", Scorecard: json.RawMessage(`{"score": 70}`), Code: snap})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// TestCodeAndCommentsThroughTheAPI: staff read a run's code and its files;
// reviewers comment on a line that exists and are refused otherwise with a
// 400; the candidate's own token opens none of it.
func TestCodeAndCommentsThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	id := e.codedSubmission(e.a)
	rec, rev := e.a.tokens[store.RoleRecruiter], e.a.tokens[store.RoleReviewer]

	var sum store.CodeSummary
	e.mustJSON(e.do("GET", "/api/v1/submissions/"+id+"/code", rec, nil), 200, &sum)
	if sum.Run != 1 || len(sum.Index) != 2 || sum.Facts.Readme != "README.md" {
		t.Fatalf("summary %+v", sum)
	}
	var file struct{ Path, Content string }
	e.mustJSON(e.do("GET", "/api/v1/submissions/"+id+"/code/file?path=main.go", rec, nil), 200, &file)
	if file.Content != "package main\n\nfunc main() {}\n" {
		t.Fatalf("file %+v", file)
	}
	for path, want := range map[string]int{
		"/code/file?path=nope.go": 400, "/code/file": 400, "/code?run=x": 400, "/code?run=5": 404,
	} {
		resp := e.do("GET", "/api/v1/submissions/"+id+path, rec, nil)
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
		errorBody(t, resp)
	}

	for _, bad := range []map[string]any{
		{"path": "main.go", "line": 4, "body": "past the end"},
		{"path": "other.go", "line": 1, "body": "no such file"},
		{"path": "main.go", "line": 1, "body": "  "},
		{"path": "main.go", "line": 1, "body": "x", "extra": true},
	} {
		resp := e.do("POST", "/api/v1/submissions/"+id+"/comments", rev, bad)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: %d, want 400", bad, resp.StatusCode)
		}
		errorBody(t, resp)
	}
	var cm store.CodeComment
	e.mustJSON(e.do("POST", "/api/v1/submissions/"+id+"/comments", rev,
		map[string]any{"path": "main.go", "line": 3, "body": "main does nothing"}), 201, &cm)
	var list struct{ Comments []store.CodeComment }
	e.mustJSON(e.do("GET", "/api/v1/submissions/"+id+"/comments", rec, nil), 200, &list)
	if len(list.Comments) != 1 || list.Comments[0].Line != 3 || !strings.HasPrefix(list.Comments[0].Author, "reviewer") {
		t.Fatalf("comments %+v", list.Comments)
	}

	// The candidate's invitation token is no staff token: 401 on every code route,
	// and the candidate's own view of the submission says nothing of comments.
	for _, path := range []string{"/code", "/code/file?path=main.go", "/comments"} {
		resp := e.do("GET", "/api/v1/submissions/"+id+path, e.a.inviteToken, nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("candidate token on %s: %d", path, resp.StatusCode)
		}
		errorBody(t, resp)
	}
}
