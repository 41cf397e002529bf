package shoppinglist

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
)

// gradeTimeout bounds one solution's grading, the sandboxed Go build included.
const gradeTimeout = 8 * time.Minute

// graded caches each solution's scorecard: every reference solution is
// graded once per test run, however many tests read its scorecard.
var graded sync.Map // name -> *gradedOnce

type gradedOnce struct {
	once sync.Once
	card *grading.Scorecard
	err  error
}

// scorecard grades s through the real runner, sandbox and PostgreSQL, once.
func scorecard(t *testing.T, s solution) *grading.Scorecard {
	t.Helper()
	if testing.Short() {
		t.Skip("grading reference solutions builds and runs them: not in -short")
	}
	v, _ := graded.LoadOrStore(s.name+"/"+s.mode, &gradedOnce{})
	g := v.(*gradedOnce)
	g.once.Do(func() {
		env, err := gradingtest.Shared()
		if err != nil {
			g.err = err
			return
		}
		if s.base == "go" && !s.prebuilt {
			if g.err = warm(); g.err != nil {
				return
			}
		}
		dir, err := os.MkdirTemp("", "shopping-list-"+s.name+"-")
		if err != nil {
			g.err = err
			return
		}
		defer os.RemoveAll(dir)
		repo := makeRepo(t, dir, s)
		ctx, cancel := context.WithTimeout(context.Background(), gradeTimeout)
		defer cancel()
		start := time.Now()
		g.card, g.err = env.Grade(ctx, Suite, repo, gradingtest.Options{Seed: seedOf(s.name), Mode: s.mode})
		t.Logf("%s graded in %s", s.name, time.Since(start).Round(time.Millisecond))
	})
	if g.err != nil {
		t.Fatalf("grade %s: %v", s.name, g.err)
	}
	return g.card
}

// warm gives the shared sandbox the warm Go cache once, before the first Go
// build in a box: those build as they do on a worker (pgx and the standard
// library compiled once a machine, not in every box).
var warm = sync.OnceValue(func() error {
	env, err := gradingtest.Shared()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), gradeTimeout)
	defer cancel()
	return env.Warm(ctx)
})

// seedOf gives each solution its own data set, the same in every run.
func seedOf(name string) int64 {
	var h int64 = 17
	for _, c := range name {
		h = h*31 + int64(c)
	}
	return h&0x7fffffff | 1
}

// TestSolutions asserts every reference solution's full verdict table.
func TestSolutions(t *testing.T) {
	for _, s := range solutions {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			card := scorecard(t, s)
			if card.Status != s.status {
				t.Errorf("status %s, want %s", card.Status, s.status)
			}
			got, want := map[string]string{}, map[string]string{}
			for _, c := range card.Checks {
				got[c.ID] = c.Status
			}
			for _, def := range Suite.Checks {
				switch {
				case s.status != grading.StatusGraded:
					want[def.ID] = grading.CheckNotRun
				case slices.Contains(s.failed, def.ID):
					want[def.ID] = grading.CheckFailed
				default:
					want[def.ID] = grading.CheckPassed
				}
			}
			for _, def := range Suite.Checks {
				if got[def.ID] != want[def.ID] {
					t.Errorf("%s: %s, want %s", def.ID, got[def.ID], want[def.ID])
				}
			}
			if len(card.Adaptations) != len(s.adaptations) {
				t.Errorf("adaptations %+v, want %d saying %q", card.Adaptations, len(s.adaptations), s.adaptations)
			} else {
				for i, a := range card.Adaptations {
					if !strings.Contains(a.Message, s.adaptations[i]) {
						t.Errorf("adaptation %d is %q, want it to say %q", i, a.Message, s.adaptations[i])
					}
				}
			}
			if s.status != grading.StatusGraded && !failedPhaseSays(card, s.says) {
				t.Errorf("no failed phase says %q: %+v", s.says, card.Phases)
			}
			for _, c := range card.Checks {
				if s.cause != "" && c.Status == grading.CheckFailed && c.Category != grading.Setup && !strings.Contains(c.Message, s.cause) {
					t.Errorf("%s failed with %q, want the cause %q", c.ID, c.Message, s.cause)
				}
				if c.Status != grading.CheckPassed && (c.Message == "" || strings.Contains(c.Message, "\n")) {
					t.Errorf("%s %s: the reason must be one line, got %q", c.ID, c.Status, c.Message)
				}
			}
			b, err := json.MarshalIndent(card, "", "  ")
			if err != nil {
				t.Fatalf("the scorecard does not marshal: %v", err)
			}
			if t.Failed() {
				t.Logf("scorecard:\n%s", b)
			}
			// ASSAY_TEST_SCORECARDS=dir keeps every scorecard, for reading figures.
			if dir := os.Getenv("ASSAY_TEST_SCORECARDS"); dir != "" {
				if err := os.WriteFile(filepath.Join(dir, s.name+".json"), b, 0o644); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestListStatementsMetric: the scorecard reports the statements counted for
// GET /shopping-lists, a fixed few for the complete solutions and one per
// list or more for N+1 (scorecards shared with TestSolutions).
func TestListStatementsMetric(t *testing.T) {
	for _, name := range []string{"go", "typescript", "n-plus-one"} {
		s := solutionNamed(t, name)
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			card := scorecard(t, s)
			n, ok := card.Metrics["list_endpoint_sql_statements"]
			switch {
			case !ok:
				t.Fatal("no list_endpoint_sql_statements metric")
			case s.name == "n-plus-one" && n < minLists:
				t.Errorf("N+1 counted %v statements, want at least %d", n, minLists)
			case s.name != "n-plus-one" && n > 3:
				t.Errorf("%v statements for a two-query endpoint", n)
			}
		})
	}
}

// TestSameCommitSameVerdicts grades one commit twice, with the seed derived
// from the commit as in production: a check that can flake is a bug.
func TestSameCommitSameVerdicts(t *testing.T) {
	if testing.Short() {
		t.Skip("grades a solution twice: not in -short")
	}
	t.Parallel()
	env, err := gradingtest.Shared()
	if err != nil {
		t.Fatal(err)
	}
	repo := makeRepo(t, t.TempDir(), solutionNamed(t, "double-every-start"))
	var verdicts [2]map[string]string
	for i := range verdicts {
		ctx, cancel := context.WithTimeout(context.Background(), gradeTimeout)
		card, err := env.Grade(ctx, Suite, repo, gradingtest.Options{})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		verdicts[i] = map[string]string{"status": card.Status, "seed": strconv.FormatInt(card.Seed, 10)}
		for _, c := range card.Checks {
			verdicts[i][c.ID] = c.Status
		}
	}
	if !maps.Equal(verdicts[0], verdicts[1]) {
		t.Fatalf("two gradings of one commit differ:\n%v\n%v", verdicts[0], verdicts[1])
	}
}

func solutionNamed(t *testing.T, name string) solution {
	t.Helper()
	for _, s := range solutions {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no solution %q", name)
	return solution{}
}

// failedPhaseSays reports whether a failed phase's message or output tail
// holds text.
func failedPhaseSays(card *grading.Scorecard, text string) bool {
	for _, p := range card.Phases {
		if p.Status == grading.PhaseFailed && strings.Contains(p.Message+"\n"+p.OutputTail, text) {
			return true
		}
	}
	return false
}
