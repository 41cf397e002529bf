package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/assayhq/assay/internal/simjob"
	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
)

// pairs numbers the pairs similarPair makes, so each pair's code has a
// structure of its own (identical code in every pair would tie them all).
var pairs atomic.Int64

// copiedCode is eight functions of Go whose statements follow seed, named
// after name, and two of the candidate's own (named after name too): two
// calls with one seed are a renamed copy, each with a little of its own.
func copiedCode(name string, seed int64) fstest.MapFS {
	statements := []string{"total += len(item)", "if total > limit {\n\t\t\ttotal--\n\t\t}",
		"for k := 0; k < limit; k++ {\n\t\t\ttotal += k\n\t\t}", "fmt.Println(item, total)"}
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	own := rand.New(rand.NewPCG(uint64(seed), uint64(len(name))))
	var b strings.Builder
	b.WriteString("package main\n\nimport \"fmt\"\n\n")
	for i := range 10 {
		if i >= 8 {
			rng = own
		}
		fmt.Fprintf(&b, "func %s%d(items []string, limit int) int {\n\ttotal := 0\n\tfor _, item := range items {\n", name, i)
		for range 6 {
			b.WriteString("\t\t" + statements[rng.IntN(len(statements))] + "\n")
		}
		b.WriteString("\t}\n\treturn total\n}\n\n")
	}
	return fstest.MapFS{"main.go": {Data: []byte(b.String())}}
}

// codedWith makes a submission of org o graded once with fsys as its code.
func (e *env) codedWith(o *org, fsys fstest.MapFS) string {
	ctx := context.Background()
	id := e.queuedSubmission(o)
	if _, err := e.store.ClaimSubmission(ctx, id, "test-worker", time.Minute); err != nil {
		e.t.Fatal(err)
	}
	snap, err := snapshot.Take(fsys, snapshot.Limits{})
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

// similarPair makes two submissions of org o sharing their code, compares
// them as the similarity task does, and returns "id other".
func (e *env) similarPair(o *org) string {
	seed := pairs.Add(1)
	first := e.codedWith(o, copiedCode("sum", seed))
	second := e.codedWith(o, copiedCode("total!", seed))
	job := &simjob.Job{Store: e.store, Catalog: testCatalog}
	for _, id := range []string{first, second} {
		if err := job.CompareSubmission(context.Background(), id, 1); err != nil {
			e.t.Fatal(err)
		}
	}
	return second + " " + first
}

func (e *env) similarSubmission(o *org) string {
	id, _, _ := strings.Cut(e.similarPair(o), " ")
	return id
}

func (e *env) freshKnownSolution(o *org) string {
	k, err := e.store.AddKnownSolution(context.Background(), store.Actor{OrgID: o.id, Label: "test"}, "planets-crud",
		fmt.Sprintf("https://github.com/someone/answer-%d", time.Now().UnixNano()))
	if err != nil {
		e.t.Fatal(err)
	}
	return k.ID
}

// TestSimilarityThroughTheAPI: staff read a flagged pair and its fragments;
// a reviewer's mark lifts the flag and is in the audit log; known solutions
// are refused with a 4xx for what the intake policy refuses, an unknown
// take-home or a second registration of the same URL.
func TestSimilarityThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	id, other, _ := strings.Cut(e.similarPair(e.a), " ")
	rec, rev, admin := e.a.tokens[store.RoleRecruiter], e.a.tokens[store.RoleReviewer], e.a.tokens[store.RoleAdmin]

	var list struct {
		Threshold float64                 `json:"threshold"`
		Items     []store.SimilarityMatch `json:"items"`
	}
	e.mustJSON(e.do("GET", "/api/v1/submissions/"+id+"/similarity", rec, nil), 200, &list)
	if list.Threshold != 0.4 || len(list.Items) != 1 || list.Items[0].OtherID != other || !list.Items[0].Flagged ||
		list.Items[0].Similarity < 0.5 {
		t.Fatalf("similarity %+v: want the copy flagged at the default threshold 0.4", list)
	}
	var pair store.SimilarityMatch
	e.mustJSON(e.do("GET", "/api/v1/submissions/"+id+"/similarity/"+other, rec, nil), 200, &pair)
	if len(pair.Fragments) == 0 || pair.Fragments[0].SelfPath != "main.go" || pair.Longest.SelfStart < 1 {
		t.Fatalf("pair %+v: want fragments located in main.go", pair)
	}

	e.mustJSON(e.do("POST", "/api/v1/submissions/"+id+"/similarity/"+other+"/mark", rev, nil), 200, &pair)
	if pair.Flagged || pair.Reviewed == nil || pair.Reviewed.By != "reviewer@acme.test" {
		t.Errorf("marked pair %+v", pair)
	}
	e.mustJSON(e.do("GET", "/api/v1/submissions/"+other+"/similarity", rec, nil), 200, &list)
	if len(list.Items) != 1 || list.Items[0].Flagged || list.Items[0].Reviewed == nil {
		t.Errorf("the other side after the mark: %+v", list.Items)
	}
	var audit struct {
		Items []store.AuditEntry `json:"items"`
	}
	e.mustJSON(e.do("GET", "/api/v1/audit", admin, nil), 200, &audit)
	if len(audit.Items) == 0 || audit.Items[0].Action != "similarity.marked" || audit.Items[0].Actor != "user:reviewer@acme.test" {
		t.Errorf("latest audit entry %+v, want the mark", audit.Items[0])
	}
	resp := e.do("GET", "/api/v1/submissions/"+id+"/similarity/"+id, rec, nil)
	if resp.StatusCode != 404 {
		t.Errorf("a submission paired with itself: %d", resp.StatusCode)
	}
	resp.Body.Close()

	for _, tc := range []struct {
		body map[string]any
		want int
	}{
		{map[string]any{"takehome": "planets-crud", "repo_url": "http://10.0.0.1/a/b"}, 400},
		{map[string]any{"takehome": "planets-crud", "repo_url": "https://gitlab.internal/a/b"}, 400},
		{map[string]any{"takehome": "no-such", "repo_url": "https://github.com/a/b"}, 400},
		{map[string]any{"takehome": "planets-crud"}, 400},
		{map[string]any{"takehome": "planets-crud", "repo_url": "https://github.com/a/b", "extra": 1}, 400},
	} {
		resp := e.do("POST", "/api/v1/known-solutions", admin, tc.body)
		if resp.StatusCode != tc.want {
			t.Errorf("%v: %d, want %d", tc.body, resp.StatusCode, tc.want)
		}
		errorBody(t, resp)
	}
	// The threshold is the assessment's: refused outside (0, 1], and a
	// higher one lifts the flag.
	for _, bad := range []any{0, 1.5, -0.2, "high"} {
		resp := e.do("PATCH", "/api/v1/assessments/"+e.a.assessment, rec, map[string]any{"similarity_threshold": bad})
		if resp.StatusCode != 400 {
			t.Errorf("similarity_threshold %v: %d, want 400", bad, resp.StatusCode)
		}
		errorBody(t, resp)
	}
	e.mustJSON(e.do("DELETE", "/api/v1/submissions/"+id+"/similarity/"+other+"/mark", rev, nil), 200, &pair)
	if !pair.Flagged {
		t.Fatalf("the mark withdrawn, the pair is not flagged again: %+v", pair)
	}
	above := math.Round(pair.Similarity*100+1) / 100
	if above > 1 {
		t.Fatalf("the pair shares everything (%v): each side should have code of its own", pair.Similarity)
	}
	var as store.Assessment
	e.mustJSON(e.do("PATCH", "/api/v1/assessments/"+e.a.assessment, rec, map[string]any{"similarity_threshold": above}), 200, &as)
	e.mustJSON(e.do("GET", "/api/v1/submissions/"+id+"/similarity/"+other, rec, nil), 200, &pair)
	if as.SimilarityThreshold != above || pair.Flagged {
		t.Errorf("threshold %v over the pair's %v: still flagged", as.SimilarityThreshold, pair.Similarity)
	}

	var k store.KnownSolution
	e.mustJSON(e.do("POST", "/api/v1/known-solutions", admin, map[string]any{"takehome": "planets-crud", "repo_url": "https://github.com/a/b"}), 201, &k)
	if k.Status != store.KnownPending || k.AddedBy != "admin@acme.test" {
		t.Errorf("registered %+v", k)
	}
	resp = e.do("POST", "/api/v1/known-solutions", admin, map[string]any{"takehome": "planets-crud", "repo_url": "https://github.com/a/b"})
	if resp.StatusCode != 409 {
		t.Errorf("the same URL again: %d, want 409", resp.StatusCode)
	}
	errorBody(t, resp)
}
