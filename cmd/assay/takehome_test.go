package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/takehome"
	"github.com/assayhq/assay/internal/testenv"
)

// writeBundle writes files into a fresh folder and returns it.
func writeBundle(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A bundle with problems is refused before anything is graded, each problem
// at its line.
func TestTakehomeCheckRefusesABundleWithProblems(t *testing.T) {
	files := testenv.HelloBundle("hello-th", "hello\n")
	files["takehome.yaml"] = strings.Replace(files["takehome.yaml"], "points: 90", "points: ninety", 1)
	err := runTakehome(context.Background(), []string{"check", writeBundle(t, files)})
	if err == nil || !strings.Contains(err.Error(), "takehome.yaml:10:") {
		t.Fatalf("error %v, want the problem at line 10", err)
	}
}

// The table is printed either way; only a bundle whose solutions scored as
// declared exits zero.
func TestTakehomeCheckExitsNonZeroWhenNotIssuable(t *testing.T) {
	b, err := takehome.Load(os.DirFS(writeBundle(t, testenv.HelloBundle("hello-th", "hello\n"))))
	if err != nil {
		t.Fatal(err)
	}
	for _, score := range []int{100, 10} {
		grade := func(ctx context.Context, s *grading.Suite, src takehome.Source, _ fs.FS) (*grading.Scorecard, error) {
			status := grading.CheckPassed
			if score < 100 {
				status = grading.CheckFailed
			}
			return &grading.Scorecard{Status: grading.StatusGraded, Score: score, MaxScore: 100,
				Checks: []grading.CheckResult{{ID: "hello.answers", Status: status, Message: "expected status 200; got 404"}}}, nil
		}
		var out strings.Builder
		err := checkBundle(context.Background(), b, grade, &out)
		switch {
		case score == 100 && err != nil:
			t.Fatalf("a reference scoring 100: %v", err)
		case score < 100 && !errors.Is(err, errNotIssuable):
			t.Fatalf("a reference scoring %d: %v", score, err)
		}
		if !strings.Contains(out.String(), "reference") || !strings.Contains(out.String(), "issuable:") {
			t.Fatalf("table:\n%s", out.String())
		}
		if score < 100 && !strings.Contains(out.String(), "hello.answers: failed, expected to pass") {
			t.Fatalf("table does not say which check:\n%s", out.String())
		}
	}
}
