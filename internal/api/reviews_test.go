package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/store"
)

// submissionJSON is the part of GET /submissions/{id} these tests read.
type submissionJSON struct {
	RepoURL         string `json:"repo_url"`
	CandidateName   string `json:"candidate_name"`
	CandidateEmail  string `json:"candidate_email"`
	CandidateNumber int    `json:"candidate_number"`
	Blind           bool   `json:"blind"`
	Reviews         []struct {
		Decision      string `json:"decision"`
		ReviewerEmail string `json:"reviewer_email"`
		Changed       bool   `json:"changed"`
	} `json:"reviews"`
	RubricScores []struct {
		ReviewerEmail string `json:"reviewer_email"`
	} `json:"rubric_scores"`
	RubricMean *float64 `json:"rubric_mean"`
}

func (e *env) submissionAs(o *org, role string) submissionJSON {
	var v submissionJSON
	e.mustJSON(e.do("GET", "/api/v1/submissions/"+o.submission, o.tokens[role], nil), 200, &v)
	return v
}

func TestDecisionOnceThenAdminChange(t *testing.T) {
	e := newEnv(t)
	o := e.a
	path := "/api/v1/submissions/" + o.submission + "/reviews"
	e.mustJSON(e.do("POST", path, o.tokens[store.RoleReviewer], map[string]any{"decision": "hold"}), 201, nil)
	resp := e.do("POST", path, o.tokens[store.RoleAdmin], map[string]any{"decision": "advance"})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("second decision: %d, want 409", resp.StatusCode)
	}
	if msg := errorBody(t, resp); !strings.Contains(msg, "already has a decision") {
		t.Fatalf("409 says %q", msg)
	}
	resp = e.do("POST", path, o.tokens[store.RoleReviewer], map[string]any{"decision": "advance", "change": true})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a reviewer's change: %d, want 403", resp.StatusCode)
	}
	resp.Body.Close()
	e.mustJSON(e.do("POST", path, o.tokens[store.RoleAdmin], map[string]any{"decision": "advance", "change": true}), 201, nil)
	v := e.submissionAs(o, store.RoleRecruiter)
	if len(v.Reviews) != 2 || v.Reviews[0].ReviewerEmail != "reviewer@acme.test" || v.Reviews[1].ReviewerEmail != "admin@acme.test" || !v.Reviews[1].Changed {
		t.Fatalf("reviews %+v: want the decision and the admin's change, each with its author", v.Reviews)
	}
}

func TestBlindReviewHidesCandidateFromReviewersUntilDecided(t *testing.T) {
	e := newEnv(t)
	o := e.a
	e.mustJSON(e.do("PATCH", "/api/v1/assessments/"+o.assessment, o.tokens[store.RoleRecruiter], map[string]any{"blind_review": true}), 200, nil)

	v := e.submissionAs(o, store.RoleReviewer)
	if !v.Blind || v.CandidateName != "Candidate 1" || v.CandidateEmail != "" || strings.Contains(v.RepoURL, "/ada/") {
		t.Fatalf("reviewer sees %+v: want Candidate 1, no email, no repository owner", v)
	}
	var page struct{ Items []map[string]any }
	e.mustJSON(e.do("GET", "/api/v1/submissions", o.tokens[store.RoleReviewer], nil), 200, &page)
	raw, _ := json.Marshal(page)
	if strings.Contains(string(raw), "/ada/") {
		t.Fatalf("the list shows the repository owner: %s", raw)
	}
	for _, role := range []string{store.RoleRecruiter, store.RoleAdmin} {
		if v := e.submissionAs(o, role); v.Blind || v.CandidateName != "Ada Acme" || !strings.Contains(v.RepoURL, "/ada/") {
			t.Fatalf("%s sees %+v: want the candidate's name", role, v)
		}
	}
	e.mustJSON(e.do("POST", "/api/v1/submissions/"+o.submission+"/reviews", o.tokens[store.RoleReviewer], map[string]any{"decision": "advance"}), 201, nil)
	if v := e.submissionAs(o, store.RoleReviewer); v.Blind || v.CandidateName != "Ada Acme" {
		t.Fatalf("after the decision the reviewer sees %+v: want the name", v)
	}
}

func TestRubricScoresAndMean(t *testing.T) {
	e := newEnv(t)
	o := e.a
	path := "/api/v1/submissions/" + o.submission + "/rubric-scores"
	e.mustJSON(e.do("PUT", path, o.tokens[store.RoleReviewer], map[string]any{"scores": defaultRubricScores(2)}), 200, nil)
	e.mustJSON(e.do("PUT", path, o.tokens[store.RoleAdmin], map[string]any{"scores": defaultRubricScores(3)}), 200, nil)
	v := e.submissionAs(o, store.RoleRecruiter)
	if len(v.RubricScores) != 2 || v.RubricMean == nil || *v.RubricMean != 2.5 {
		t.Fatalf("scores %+v mean %v: want two reviewers, mean 2.5", v.RubricScores, v.RubricMean)
	}
	for name, body := range map[string]any{
		"out of range": map[string]any{"scores": defaultRubricScores(9)},
		"unknown":      map[string]any{"scores": map[string]int{"Style": 2}},
		"not a number": map[string]any{"scores": map[string]string{"Tests": "good"}},
	} {
		resp := e.do("PUT", path, o.tokens[store.RoleReviewer], body)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, resp.StatusCode)
		}
		errorBody(t, resp)
	}
	resp := e.do("PUT", "/api/v1/assessments/"+o.assessment+"/rubric", o.tokens[store.RoleRecruiter],
		map[string]any{"criteria": []map[string]any{{"name": "A", "levels": []string{"1", "2", "3", "4", "5"}}}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("five levels: %d, want 400", resp.StatusCode)
	}
	errorBody(t, resp)
	resp = e.do("PUT", "/api/v1/assessments/"+o.assessment+"/rubric", o.tokens[store.RoleRecruiter],
		map[string]any{"criteria": []map[string]any{{"name": "A", "levels": []string{"1", "2", "3", ""}}}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a level left blank: %d, want 400", resp.StatusCode)
	}
	if msg := errorBody(t, resp); !strings.Contains(msg, "levels[3]") {
		t.Fatalf("error %q does not name the level", msg)
	}
}
