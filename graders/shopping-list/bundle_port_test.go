package shoppinglist

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
	"github.com/assayhq/assay/internal/takehome"
)

// portSolutions are graded with the declared port as well: both reference
// solutions, and two flawed ones whose failures the port declares.
var portSolutions = []string{"go", "typescript", "missing-404", "n-plus-one"}

var (
	portOnce   sync.Once
	portBundle *takehome.Bundle
	portErr    error
	portCards  sync.Map // solution name -> *gradedOnce
)

// portScorecard grades solution s with the declared port, once per test run.
func portScorecard(t *testing.T, s solution) *grading.Scorecard {
	t.Helper()
	portOnce.Do(func() { portBundle, portErr = takehome.Load(os.DirFS("testdata/bundle-port")) })
	if portErr != nil {
		t.Fatalf("load the port: %v", portErr)
	}
	v, _ := portCards.LoadOrStore(s.name, &gradedOnce{})
	g := v.(*gradedOnce)
	g.once.Do(func() {
		env, err := gradingtest.Shared()
		if err != nil {
			g.err = err
			return
		}
		dir, err := os.MkdirTemp("", "shopping-list-port-"+s.name+"-")
		if err != nil {
			g.err = err
			return
		}
		defer os.RemoveAll(dir)
		// The Go solution's binary is built on the host, as for its prebuilt
		// variants: the same source behaves the same, and the sandboxed cold
		// build is what TestSolutions already measures.
		built := s
		built.prebuilt = built.prebuilt || s.base == "go"
		repo := makeRepo(t, dir, built)
		ctx, cancel := context.WithTimeout(context.Background(), gradeTimeout)
		defer cancel()
		start := time.Now()
		g.card, g.err = env.Grade(ctx, portBundle.Suite(), repo, gradingtest.Options{Seed: seedOf(s.name), Mode: s.mode})
		t.Logf("%s graded with the port in %s", s.name, time.Since(start).Round(time.Millisecond))
	})
	if g.err != nil {
		t.Fatalf("grade %s with the port: %v", s.name, g.err)
	}
	return g.card
}

// TestBundlePort: the declared port gives the Go suite's verdict on each of
// its check ids, on every solution both grade (the Go suite's scorecards are
// the ones TestSolutions reads).
func TestBundlePort(t *testing.T) {
	for _, name := range portSolutions {
		s := solutionNamed(t, name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			goCard, portCard := scorecard(t, s), portScorecard(t, s)
			if portCard.Status != goCard.Status {
				t.Fatalf("port status %s, Go suite %s", portCard.Status, goCard.Status)
			}
			compared := 0
			for _, pc := range portCard.Checks {
				if pc.Category == grading.Setup {
					continue
				}
				gc := goCard.Check(pc.ID)
				if gc == nil {
					t.Errorf("the port declares %s, which the Go suite does not have", pc.ID)
					continue
				}
				compared++
				if pc.Status != gc.Status {
					t.Errorf("%s: port %s (%s), Go suite %s (%s)", pc.ID, pc.Status, pc.Message, gc.Status, gc.Message)
				}
			}
			if compared < 8 {
				t.Errorf("compared %d checks, want the port's 8", compared)
			}
			if _, ok := portCard.Metrics["list_endpoint_sql_statements"]; !ok {
				t.Error("the port did not record list_endpoint_sql_statements")
			}
		})
	}
}
