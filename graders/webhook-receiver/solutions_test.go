package webhookreceiver

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
	"github.com/assayhq/assay/internal/takehome"
)

// checked is takehome.Check's report on the bundle: the reference and every
// flawed variant graded once each, through the real pipeline (sandbox,
// grading PostgreSQL), one after the other so that no load test shares the
// machine with another. The subtests read it.
var checked = sync.OnceValues(func() (*takehome.Report, error) {
	b, err := takehome.Load(Bundle)
	if err != nil {
		return nil, err
	}
	env, err := gradingtest.Shared()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "webhook-receiver-solutions-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	// The load checks need the machine's cores: say how busy it was, so that
	// a p95 over budget can be told from a slow solution.
	logLoad("before grading")
	defer logLoad("after grading")
	grade := func(ctx context.Context, s *grading.Suite, src takehome.Source, bundleFS fs.FS) (*grading.Scorecard, error) {
		name := filepath.Base(src.Dir)
		work, repo := filepath.Join(tmp, "work-"+name), filepath.Join(tmp, name)
		if err := src.CopyTo(bundleFS, work); err != nil {
			return nil, err
		}
		if err := gradingtest.Repo(work, repo); err != nil {
			return nil, err
		}
		return env.Grade(ctx, s, repo, gradingtest.Options{ReadyTimeout: 20 * time.Second})
	}
	return takehome.Check(ctx, b, grade)
})

// report is the verdict table of the reference and the variants, graded once
// for every test that reads it. -short (the quick loop while editing) leaves
// the grading out, as the other graders' packages do; make test and CI never
// pass -short, so there it always runs.
func report(t *testing.T) *takehome.Report {
	t.Helper()
	if testing.Short() {
		t.Skip("grading five solutions through the sandbox takes about 4 minutes: make test runs it, -short does not")
	}
	rep, err := checked()
	if err != nil {
		t.Fatalf("check the bundle: %v", err)
	}
	return rep
}

// The reference scores 100 and each flawed variant fails exactly the checks
// takehome.yaml lists for it: the bundle may be issued.
func TestReferenceAndVariants(t *testing.T) {
	rep := report(t)
	t.Logf("verdicts:\n%s\n%s", rep.Table(), strings.Join(loadLog, "\n"))
	want := map[string]bool{"reference": true, "no-dedup": true, "check-then-insert": true, "no-signature": true, "too-slow": true}
	for _, row := range rep.Rows {
		delete(want, row.Name)
		t.Run(row.Name, func(t *testing.T) {
			card := row.Scorecard
			if card.Status != grading.StatusGraded {
				t.Fatalf("status %s, want graded\n%s", card.Status, text(card))
			}
			if row.Name == "reference" && card.Score != 100 {
				t.Errorf("reference scored %d/%d, want 100", card.Score, card.MaxScore)
			}
			for _, u := range row.Unexpected {
				t.Errorf("unexpected: %s", u)
			}
			for _, c := range card.Checks {
				if c.Status == grading.CheckFailed && (c.Message == "" || strings.Contains(c.Message, "\n")) {
					t.Errorf("%s: message %q is not one line", c.ID, c.Message)
				}
			}
			if t.Failed() {
				t.Log(text(card))
			}
		})
	}
	for name := range want {
		t.Errorf("%s was not graded", name)
	}
	if !rep.Issuable {
		t.Error("the report says the bundle may not be issued")
	}
}

// The scorecard reports the load's p95 and the events lost; the reference
// loses none and answers within the budget.
func TestLoadMetrics(t *testing.T) {
	rep := report(t)
	for _, row := range rep.Rows {
		m := row.Scorecard.Metrics
		p95, ok1 := m["webhook_p95_ms"]
		lost, ok2 := m["webhook_events_lost"]
		t.Logf("%s: p95 %v ms, lost %v", row.Name, p95, lost)
		if !ok1 || !ok2 {
			t.Errorf("%s: metrics %v lack webhook_p95_ms or webhook_events_lost", row.Name, m)
			continue
		}
		switch row.Name {
		case "reference":
			if lost != 0 || p95 >= 250 {
				t.Errorf("reference: p95 %v ms, lost %v; want under 250 and 0", p95, lost)
			}
		case "too-slow":
			if p95 < 400 {
				t.Errorf("too-slow waits 400 ms per event, yet p95 is %v ms", p95)
			}
		}
	}
}

// loadLog is the machine's load average around the grading, for the tests' logs.
var loadLog []string

func logLoad(when string) {
	read := func(name string) string {
		b, err := os.ReadFile(name)
		if err != nil {
			return err.Error()
		}
		return strings.SplitN(strings.TrimSpace(string(b)), "\n", 2)[0]
	}
	// CPU pressure's "some avg10" is the share of the last 10 s in which a
	// task waited for a core: near 100, nothing here is timed fairly.
	loadLog = append(loadLog, fmt.Sprintf("%s %s: load average %s; cpu pressure %s", time.Now().Format(time.TimeOnly), when,
		read("/proc/loadavg"), read("/proc/pressure/cpu")))
}

func text(c *grading.Scorecard) string {
	var b strings.Builder
	grading.WriteText(&b, c)
	for _, p := range c.Phases {
		if p.Status != grading.PhaseOK {
			fmt.Fprintf(&b, "--- %s output:\n%s\n", p.Name, p.OutputTail)
		}
	}
	return b.String()
}
