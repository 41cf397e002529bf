package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/grading"
)

func sampleCard() *grading.Scorecard {
	c := &grading.Scorecard{
		Takehome: "planets-crud", SuiteVersion: "1", Status: grading.StatusGraded, Seed: 42, Commit: "0123456789abcdef",
		Notices: []string{"graded without a sandbox (ASSAY_SANDBOX=unsafe-local)"}, Metrics: map[string]float64{},
		Phases: []grading.Phase{{Name: "build", Status: grading.PhaseOK, DurationMS: 1200}},
		Checks: []grading.CheckResult{
			{ID: "import.complete", Title: "Every planet imported", Category: grading.Correctness, Status: grading.CheckPassed, Score: 8, MaxScore: 8, Visibility: grading.Visible},
			{ID: "crud.get_404", Title: "404 for a missing planet", Category: grading.Endpoints, Status: grading.CheckFailed, MaxScore: 3, Visibility: grading.Visible,
				Message: "GET /planets/99 answered 500 for a planet that does not exist; answer 404"},
			{ID: "resilience.retry_503", Title: "Import retried", Category: grading.Correctness, Status: grading.CheckNotRun, MaxScore: 6, Visibility: grading.Hidden, Message: "not run"},
		},
	}
	// Totals as the runner leaves them: every check counted.
	c.Score, c.MaxScore = 8, 17
	c.Categories = []grading.CategoryScore{{Name: grading.Correctness, Score: 8, MaxScore: 14}, {Name: grading.Endpoints, MaxScore: 3}}
	return c
}

func TestWriteScorecardText(t *testing.T) {
	card := sampleCard()
	var b strings.Builder
	if err := writeScorecard(&b, card, "text", false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"! graded without a sandbox",
		"correctness  8/14",
		"✓ 8 /8  Every planet imported  (import.complete)",
		"✗ 0 /3  404 for a missing planet  (crud.get_404)",
		"answer 404",
		"total 8/17",
		"(6 points are in checks your reviewers have not shared; --all shows them)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "retry_503") {
		t.Errorf("hidden check shown without --all:\n%s", out)
	}
	b.Reset()
	writeScorecard(&b, card, "text", true)
	if !strings.Contains(b.String(), "– 0 /6  Import retried") || !strings.Contains(b.String(), "total 8/17") {
		t.Errorf("--all output:\n%s", b.String())
	}
}

func TestWriteScorecardJSON(t *testing.T) {
	var b bytes.Buffer
	if err := writeScorecard(&b, sampleCard(), "json", false); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"takehome", "suite_version", "status", "score", "max_score", "categories", "phases", "checks", "metrics", "seed", "commit", "notices"} {
		if _, ok := got[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b.String())
		}
	}
	if got["max_score"].(float64) != 17 || len(got["checks"].([]any)) != 2 {
		t.Errorf("visible JSON: max_score %v, %d checks", got["max_score"], len(got["checks"].([]any)))
	}
	check := got["checks"].([]any)[1].(map[string]any)
	for _, k := range []string{"id", "title", "category", "status", "score", "max_score", "message", "visibility", "evidence"} {
		if _, ok := check[k]; !ok {
			t.Errorf("check JSON lacks %q", k)
		}
	}
}

func TestParseGradeFlags(t *testing.T) {
	f, err := parseGradeFlags([]string{"--takehome", "planets-crud", "--repo", ".", "--format", "json", "--all", "--seed", "7"}, io.Discard)
	if err != nil || f.format != "json" || !f.all || f.seed != 7 || f.repo != "." || f.mode != "adaptive" {
		t.Fatalf("flags %+v, %v", f, err)
	}
	for _, args := range [][]string{
		{"--repo", "."},
		{"--takehome", "nope", "--repo", "."},
		{"--takehome", "planets-crud", "--repo", ".", "--format", "xml"},
		{"--takehome", "planets-crud", "--repo", ".", "--mode", "lenient"},
	} {
		if _, err := parseGradeFlags(args, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
