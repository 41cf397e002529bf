package takehome

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
)

// flawedEdits make testdata/bundle's flawed variant from its reference: one
// edit per check the bundle lists under the variant's fails.
var flawedEdits = []gradingtest.Edit{
	// items.get_404: a missing item answers 200 null.
	{File: "main.go", Old: "if errors.Is(err, pgx.ErrNoRows) {\n\t\tfail(w, 404, \"no such item\")", New: "if errors.Is(err, pgx.ErrNoRows) {\n\t\treply(w, 200, nil)"},
	// items.list_statements: one more query per item listed (N+1).
	{File: "main.go", Old: "\treply(w, 200, items)\n", New: "\tfor _, it := range items {\n\t\ts.db.QueryRow(r.Context(), `SELECT count(*) FROM tags WHERE item_id = $1`, it.ID).Scan(new(int))\n\t}\n\treply(w, 200, items)\n"},
	// items.load: every item takes 600 ms.
	{File: "main.go", Old: "\tit.Tags = []string{}\n", New: "\ttime.Sleep(600 * time.Millisecond)\n\tit.Tags = []string{}\n"},
	// upstream.retry: one try only.
	{File: "main.go", Old: "try < 5", New: "try < 1"},
	// jobs.complete: the job never gets done.
	{File: "main.go", Old: "SET status = 'done'", New: "SET status = 'running'"},
	// tests.pass: one of its own tests fails.
	{File: "main.go", Old: `"TestJobs": true}`, New: `"TestJobs": false}`},
	// restart.release_rerun: release cannot run twice.
	{File: "main.go", Old: "CREATE TABLE IF NOT EXISTS jobs", New: "CREATE TABLE jobs"},
}

// The test bundle is checked (reference and flawed variant graded through
// the sandbox) once per test binary; every test below reads that report.
var (
	demoOnce   sync.Once
	demoReport *Report
	demoBundle *Bundle
	demoErr    error
)

func demoCheck(t *testing.T) (*Bundle, *Report) {
	t.Helper()
	if testing.Short() {
		t.Skip("grades two solutions through the sandbox: not in -short")
	}
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "takehome-demo-")
		if err != nil {
			demoErr = err
			return
		}
		defer os.RemoveAll(dir)
		bundleDir := filepath.Join(dir, "bundle")
		if demoErr = os.CopyFS(bundleDir, os.DirFS("testdata/bundle")); demoErr != nil {
			return
		}
		if demoErr = copyEdited(filepath.Join(bundleDir, "reference"), filepath.Join(bundleDir, "variants", "flawed"), flawedEdits); demoErr != nil {
			return
		}
		if demoBundle, demoErr = Load(os.DirFS(bundleDir)); demoErr != nil {
			return
		}
		env, err := gradingtest.Shared()
		if err != nil {
			demoErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		demoReport, demoErr = Check(ctx, demoBundle, func(ctx context.Context, s *grading.Suite, src Source, bfs fs.FS) (*grading.Scorecard, error) {
			repo, err := prebuiltRepo(dir, src, bfs)
			if err != nil {
				return nil, err
			}
			start := time.Now()
			card, err := env.Grade(ctx, s, repo, gradingtest.Options{Seed: 4242, ReadyTimeout: demoBundle.Limits.Ready})
			t.Logf("%s graded in %s", src, time.Since(start).Round(time.Millisecond))
			return card, err
		})
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoBundle, demoReport
}

// copyEdited copies src to dest and applies the edits.
func copyEdited(src, dest string, edits []gradingtest.Edit) error {
	if err := os.CopyFS(dest, os.DirFS(src)); err != nil {
		return err
	}
	for _, e := range edits {
		p := filepath.Join(dest, e.File)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Count(string(b), e.Old) != 1 {
			return &os.PathError{Op: "edit", Path: e.File, Err: fs.ErrNotExist}
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), e.Old, e.New, 1)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// prebuiltRepo makes a repository of a bundle solution with its binary
// built on the host: building pgx from a cold cache in every box would take
// minutes, and what is graded here is what the service does.
func prebuiltRepo(parent string, src Source, bfs fs.FS) (string, error) {
	work := filepath.Join(parent, "work-"+strings.ReplaceAll(src.Dir, "/", "-"))
	if err := src.CopyTo(bfs, work); err != nil {
		return "", err
	}
	build := exec.Command("go", "build", "-o", "bin/svc", ".")
	build.Dir = work
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	if out, err := build.CombinedOutput(); err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	procfile := "build: test -x bin/svc\nrelease: ./bin/svc migrate\nweb: ./bin/svc serve\n"
	if err := os.WriteFile(filepath.Join(work, "Procfile"), []byte(procfile), 0o644); err != nil {
		return "", err
	}
	repo := filepath.Join(parent, "repo-"+strings.ReplaceAll(src.Dir, "/", "-"))
	return repo, gradingtest.Repo(work, repo)
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "build on the host: " + e.err.Error() + "\n" + e.out }

func row(t *testing.T, rep *Report, name string) Row {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no row %s in\n%s", name, rep.Table())
	return Row{}
}

// TestDemoBundle: the reference passes every check of every step kind, the
// flawed variant fails exactly the checks its edits break, and the bundle
// may be issued.
func TestDemoBundle(t *testing.T) {
	b, rep := demoCheck(t)
	t.Logf("\n%s", rep.Table())
	if !rep.Issuable {
		for _, r := range rep.Rows {
			if !r.OK() {
				t.Logf("%s scorecard checks: %+v", r.Name, r.Scorecard.Checks)
			}
		}
		t.Fatalf("the demo bundle is not issuable:\n%s", rep.Table())
	}
	ref := row(t, rep, "reference")
	if ref.Score != 100 || ref.MaxScore != 100 {
		t.Errorf("reference scored %d/%d", ref.Score, ref.MaxScore)
	}
	flawed := row(t, rep, "flawed")
	var failed []string
	for _, c := range flawed.Scorecard.Checks {
		if c.Status != grading.CheckPassed {
			failed = append(failed, c.ID)
		}
	}
	if want := b.Variants[0].Fails; !slices.Equal(failed, want) {
		t.Errorf("flawed failed %v, want %v", failed, want)
	}
	if !strings.Contains(rep.Table(), "issuable: yes") {
		t.Errorf("the table does not say the bundle is issuable:\n%s", rep.Table())
	}
}

// TestDemoFailureMessages: each failure says, in one line, what was
// expected and what came back.
func TestDemoFailureMessages(t *testing.T) {
	_, rep := demoCheck(t)
	card := row(t, rep, "flawed").Scorecard
	for id, want := range map[string]string{
		"items.get_404":         "GET /items/987654321: expected status 404; got 200 null",
		"items.list_statements": "expected statements <= 3; got 1",
		"items.load":            "expected p95_ms < 400.0; got 6",
		"upstream.retry":        "GET /rate: expected status 200; got 502",
		"jobs.complete":         `still not so after 5s`,
		"tests.pass":            "expected exit_code == 0; got 1",
		"restart.release_rerun": "the service did not come back after a restart: release:",
	} {
		c := card.Check(id)
		if c == nil || !strings.Contains(c.Message, want) || strings.Contains(c.Message, "\n") {
			t.Errorf("%s: message %q, want one line saying %q", id, c.Message, want)
		}
	}
	if got := card.Check("jobs.complete").Message; !strings.Contains(got, `expected body.status == 'done'; got "running"`) {
		t.Errorf("the poll's failure does not say what came back last: %q", got)
	}
}

// TestDemoRunDetails: what the reference's scorecard records beyond verdicts.
func TestDemoRunDetails(t *testing.T) {
	_, rep := demoCheck(t)
	ref := row(t, rep, "reference").Scorecard
	flawed := row(t, rep, "flawed").Scorecard
	if n, ok := ref.Metrics["list_statements"]; !ok || n > 3 {
		t.Errorf("reference list_statements metric %v (recorded %v), want at most 3", n, ok)
	}
	if p, ok := flawed.Metrics["load_p95_ms"]; !ok || p < 600 {
		t.Errorf("flawed load_p95_ms %v (recorded %v), want at least the 600 ms it sleeps", p, ok)
	}
	var prepare string
	for _, p := range ref.Phases {
		if p.Name == "prepare" {
			prepare = p.Message
		}
	}
	for _, want := range []string{"written to app/data/greeting.txt", "not written, their folder is not in the repository: no/such/folder/data.json"} {
		if !strings.Contains(prepare, want) {
			t.Errorf("prepare says %q, want it to say %q", prepare, want)
		}
	}
	// A web restart without release is a web phase with no release before it.
	var names []string
	for _, p := range ref.Phases {
		names = append(names, p.Name)
	}
	got := strings.Join(names, " ")
	if !strings.Contains(got, "web web#2 release#3 web#3") {
		t.Errorf("phases %s: want web#2 started without a release (restart without release), then release and web on the fresh database", got)
	}
}

// TestUnexpectedVerdicts: a variant that fails other checks than it
// declares, or a reference that does not score 100, makes the version not
// issuable, and the table says which verdicts differ (scorecards reused).
func TestUnexpectedVerdicts(t *testing.T) {
	_, rep := demoCheck(t)
	flawed := row(t, rep, "flawed").Scorecard
	got := Unexpected(flawed, []string{"items.get_404", "items.create"})
	for _, want := range []string{"items.create: passed, expected to fail", "items.load: failed, expected to pass"} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("unexpected %q, want a line %q", got, want)
		}
	}
	bad := &Report{Issuable: false, Rows: []Row{{Name: "reference", Score: 92, MaxScore: 100, Status: grading.StatusGraded,
		Unexpected: Unexpected(flawed, nil)}}}
	table := bad.Table()
	if !strings.Contains(table, "issuable: no") || !strings.Contains(table, "items.get_404: failed, expected to pass") {
		t.Errorf("table:\n%s", table)
	}
}
