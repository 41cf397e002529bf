package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/assayhq/assay/internal/snapshot"
)

// gradeWithCode finishes one grading run of sub that kept the snapshot of fsys.
func gradeWithCode(t *testing.T, st *Store, subID string, fsys fstest.MapFS, l snapshot.Limits) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.ClaimSubmission(ctx, subID, "w", time.Minute); err != nil {
		t.Fatal(err)
	}
	snap, err := snapshot.Take(fsys, l)
	if err != nil {
		t.Fatal(err)
	}
	r := GradeResult{Status: StatusGraded, Score: 1, MaxScore: 2, CommitSHA: "abc", Takehome: "planets-crud",
		SuiteVersion: "1", Scorecard: json.RawMessage(`{"score": 1}`), Code: snap}
	if err := st.FinishGrading(ctx, subID, "w", r); err != nil {
		t.Fatal(err)
	}
}

// TestCodeSnapshotKeptWithTheRun: a graded run's text files are stored and read
// back; binaries, vendored folders and files over the caps are left out and
// listed; another organisation reads none of it; pruning a run removes its code.
func TestCodeSnapshotKeptWithTheRun(t *testing.T) {
	ctx := context.Background()
	st, a := newTestStore(t)
	sub, err := st.Submit(ctx, newInvitation(t, st, a, 5), "https://github.com/ada/x", "")
	if err != nil {
		t.Fatal(err)
	}
	gradeWithCode(t, st, sub.ID, fstest.MapFS{
		"main.go":                 {Data: []byte("package main\n\nfunc main() {}\n")},
		"go.mod":                  {Data: []byte("module x\n\nrequire github.com/gin-gonic/gin v1.0.0\n")},
		"server.bin":              {Data: []byte{0x7f, 'E', 'L', 'F', 0, 0}},
		"node_modules/a/index.js": {Data: []byte("x")},
		"vendor/b/b.go":           {Data: []byte("package b")},
		"huge.txt":                {Data: []byte(strings.Repeat("x", 2000))},
		"z1.txt":                  {Data: []byte("1")},
		"z2.txt":                  {Data: []byte("2")},
	}, snapshot.Limits{FileBytes: 1000, Files: 3})

	sum, err := st.CodeSnapshot(ctx, a.OrgID, sub.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range sum.Index {
		paths = append(paths, f.Path)
	}
	if sum.Run != 1 || strings.Join(paths, ",") != "go.mod,main.go,z1.txt" || sum.Lines("main.go") != 3 {
		t.Fatalf("run %d kept %v", sum.Run, paths)
	}
	skipped := map[string]string{}
	for _, s := range sum.Skipped {
		skipped[s.Path] = s.Reason
	}
	for p, why := range map[string]string{"server.bin": snapshot.SkipBinary, "node_modules/": snapshot.SkipVendored,
		"vendor/": snapshot.SkipVendored, "huge.txt": snapshot.SkipTooLarge, "z2.txt": snapshot.SkipTotalCap} {
		if skipped[p] != why {
			t.Errorf("%s: skipped as %q, want %q", p, skipped[p], why)
		}
	}
	if len(sum.Facts.Dependencies) != 1 || sum.Facts.Dependencies[0].Packages[0] != "github.com/gin-gonic/gin" {
		t.Errorf("facts %+v", sum.Facts)
	}
	files, err := st.CodeFiles(ctx, a.OrgID, sub.ID, 1)
	if err != nil || len(files) != 3 || files[1].Content != "package main\n\nfunc main() {}\n" {
		t.Fatalf("files %+v %v", files, err)
	}

	other, err := st.EnsureOrganization(ctx, "Elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CodeSnapshot(ctx, other.ID, sub.ID, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("another organisation reads the summary: %v", err)
	}
	if _, err := st.CodeFiles(ctx, other.ID, sub.ID, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("another organisation reads the files: %v", err)
	}
	if _, err := st.AddCodeComment(ctx, Actor{OrgID: other.ID, Label: "x"}, sub.ID, 1, "main.go", 1, "hi"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another organisation comments: %v", err)
	}

	// Runs beyond KeptRuns are pruned, and their code with them.
	for i := 0; i < KeptRuns; i++ {
		if _, err := st.RequestRegrade(ctx, a, sub.ID); err != nil {
			t.Fatal(err)
		}
		gradeWithCode(t, st, sub.ID, fstest.MapFS{"main.go": {Data: []byte("package main\n")}}, snapshot.Limits{})
	}
	if _, err := st.CodeFiles(ctx, a.OrgID, sub.ID, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("pruned run 1 still has code: %v", err)
	}
	var n int
	if err := st.db.Raw(`SELECT count(*) FROM code_snapshots WHERE submission_id = ?`, sub.ID).Scan(&n).Error; err != nil || n != KeptRuns {
		t.Errorf("%d snapshots kept, want %d (%v)", n, KeptRuns, err)
	}
	if sum, err := st.CodeSnapshot(ctx, a.OrgID, sub.ID, 0); err != nil || sum.Run != KeptRuns+1 {
		t.Errorf("newest snapshot %+v %v", sum, err)
	}
}

// TestCodeCommentsNameTheirLine: a comment must point at a kept file's line, and
// is listed with its author and time.
func TestCodeCommentsNameTheirLine(t *testing.T) {
	ctx := context.Background()
	st, a := newTestStore(t)
	sub, err := st.Submit(ctx, newInvitation(t, st, a, 5), "https://github.com/ada/x", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddCodeComment(ctx, a, sub.ID, 0, "main.go", 1, "hi"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("comment without code: %v", err)
	}
	gradeWithCode(t, st, sub.ID, fstest.MapFS{"main.go": {Data: []byte("package main\n\nfunc main() {}\n")}}, snapshot.Limits{})
	for _, bad := range []struct {
		path string
		line int
	}{{"other.go", 1}, {"main.go", 0}, {"main.go", 4}} {
		if _, err := st.AddCodeComment(ctx, a, sub.ID, 1, bad.path, bad.line, "x"); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s:%d accepted: %v", bad.path, bad.line, err)
		}
	}
	reviewer := Actor{OrgID: a.OrgID, Label: "user:rita@acme.test"}
	if _, err := st.AddCodeComment(ctx, reviewer, sub.ID, 1, "main.go", 3, "main does nothing"); err != nil {
		t.Fatal(err)
	}
	list, err := st.CodeComments(ctx, a.OrgID, sub.ID)
	if err != nil || len(list) != 1 || list[0].Author != "rita@acme.test" || list[0].Line != 3 || list[0].CreatedAt.IsZero() {
		t.Fatalf("comments %+v %v", list, err)
	}
}
