package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/store"
)

// TestRunArtifacts: a reviewer lists a submission's runs and reads one run's
// scorecard with its artifacts; a run number that is not one is a 400, a run never
// made a 404.
func TestRunArtifacts(t *testing.T) {
	e := newEnv(t)
	id := e.gradedSubmission(e.a)
	tok := e.a.tokens[store.RoleReviewer]
	var list struct{ Runs []store.RunResult }
	e.mustJSON(e.do("GET", "/api/v1/submissions/"+id+"/runs", tok, nil), http.StatusOK, &list)
	if len(list.Runs) != 1 || list.Runs[0].Run != 1 || list.Runs[0].Status != store.StatusGraded || *list.Runs[0].Score != 70 {
		t.Fatalf("runs %+v", list.Runs)
	}
	var run store.RunResult
	e.mustJSON(e.do("GET", "/api/v1/submissions/"+id+"/runs/1", tok, nil), http.StatusOK, &run)
	if !strings.Contains(string(run.Scorecard), `"schema_dump":"CREATE TABLE planets ();"`) {
		t.Fatalf("run 1's scorecard %s", run.Scorecard)
	}
	for path, status := range map[string]int{"/runs/first": http.StatusBadRequest, "/runs/0": http.StatusBadRequest, "/runs/2": http.StatusNotFound} {
		resp := e.do("GET", "/api/v1/submissions/"+id+path, tok, nil)
		if msg := errorBody(t, resp); resp.StatusCode != status || msg == "" {
			t.Errorf("%s: %d %q", path, resp.StatusCode, msg)
		}
	}
}
