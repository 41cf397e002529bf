package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/graders"
	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/gitfetch/gittest"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
	"github.com/assayhq/assay/internal/grading/run"
	"github.com/assayhq/assay/internal/testenv"
)

// BenchmarkPipeline queues N submissions of a reference solution at once
// (ASSAY_BENCH_SUBMISSIONS, default 20; ASSAY_BENCH_SOLUTION, default the Go
// shopping-list solution) to a worker running 2 at a time, and reports wall time and
// p50/p95 from submit to scorecard. The baseline is what `assay grade -repo URL`
// does with the same repository URL (served over git's smart HTTP on loopback), the
// same number of times, 2 at a time on the same machine (half before the pipeline's
// run, half after): the overhead is the pipeline's wall time over the baseline's.
// Both use the warm Go cache workers keep (made first when there is none).
func BenchmarkPipeline(b *testing.B) {
	n := 20
	if v, err := strconv.Atoi(os.Getenv("ASSAY_BENCH_SUBMISSIONS")); err == nil && v > 0 {
		n = v
	}
	solution := os.Getenv("ASSAY_BENCH_SOLUTION")
	if solution == "" {
		solution = "go"
	}
	const concurrency = 2
	suite := graders.All["shopping-list"]
	root := b.TempDir()
	dest := filepath.Join(root, "acme", "lists")
	if err := gradingtest.Repo(filepath.Join("..", "..", "graders", "shopping-list", "testdata", "solutions", solution), dest); err != nil {
		b.Fatal(err)
	}
	gittest.Git(b, dest, "config", "uploadpack.allowAnySHA1InWant", "true")
	env, err := gradingtest.Shared()
	if err != nil {
		b.Fatal(err)
	}
	if err := env.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}

	repo := newGitServer(b, root) + "/acme/lists"
	for i := 0; i < b.N; i++ {
		// Half the baseline before the pipeline's run and half after, so that a
		// machine getting slower or faster over the run weighs on both alike.
		before, tookBefore := gradeDirectly(b, env, suite, repo, n/2, concurrency)

		h := newHarness(b)
		h.relayInterval, h.staleAfter = 0, 0 // the relay as in production
		p := h.pipeline(fmt.Sprintf("bench-%d", i), 30*time.Second)
		p.Suites = graders.All
		var ids []string
		submitted := time.Now()
		for j := 0; j < n; j++ {
			ids = append(ids, h.submit(suite, repo))
		}
		stop := h.runWorker(p, testenv.RedisAddr(), concurrency)
		subs := h.waitFinished(ids, 2*time.Hour)
		wall := time.Since(submitted)
		stop()
		after, tookAfter := gradeDirectly(b, env, suite, repo, n-n/2, concurrency)
		direct, perGrading := before+after, append(tookBefore, tookAfter...)
		slices.Sort(perGrading)
		var lat []time.Duration
		for _, s := range subs {
			if s.Status != "graded" || s.Score == nil || s.MaxScore == nil || *s.Score != *s.MaxScore {
				b.Fatalf("submission %s ended %s: the reference solution must get full marks", s.ID, s.Status)
			}
			lat = append(lat, s.FinishedAt.Sub(s.CreatedAt))
		}
		slices.Sort(lat)
		overhead := 100 * (wall.Seconds()/direct.Seconds() - 1)
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(percentile(lat, 0.5).Seconds(), "p50-s")
		b.ReportMetric(percentile(lat, 0.95).Seconds(), "p95-s")
		b.ReportMetric(direct.Seconds(), "direct-wall-s")
		b.ReportMetric(overhead, "overhead-%")
		fmt.Fprintf(os.Stderr, "pipeline: %d × %s at concurrency %d: wall %s, p50 %s, p95 %s; "+
			"assay grade of the same %d at concurrency %d: wall %s (one grading: p50 %s); pipeline overhead %.1f%%\n",
			n, solution, concurrency, wall.Round(time.Second), percentile(lat, 0.5).Round(time.Second), percentile(lat, 0.95).Round(time.Second),
			n, concurrency, direct.Round(time.Second), percentile(perGrading, 0.5).Round(100*time.Millisecond), overhead)
	}
}

// gradeDirectly grades repo n times, concurrency at a time, as `assay grade` does
// (with ASSAY_ALLOW_LOOPBACK, like the pipeline here), and returns the wall time and
// each grading's duration, sorted.
func gradeDirectly(b *testing.B, env *gradingtest.Env, suite *grading.Suite, repo string, n, concurrency int) (time.Duration, []time.Duration) {
	var (
		mu    sync.Mutex
		took  []time.Duration
		wg    sync.WaitGroup
		slots = make(chan struct{}, concurrency)
	)
	start := time.Now()
	for j := 0; j < n; j++ {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			t0 := time.Now()
			card, err := run.Run(context.Background(), run.Options{Suite: suite, RepoURL: repo,
				Sandbox: env.Sandbox, DB: env.DB, Fetch: gitfetch.Options{AllowLoopbackHTTP: true}})
			if err != nil {
				b.Error(err)
				return
			}
			if card.Score != card.MaxScore {
				b.Errorf("direct grading scored %d of %d: the reference solution must get full marks", card.Score, card.MaxScore)
			}
			mu.Lock()
			took = append(took, time.Since(t0))
			mu.Unlock()
		}()
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	slices.Sort(took)
	return time.Since(start), took
}

func percentile(sorted []time.Duration, q float64) time.Duration {
	return sorted[int(q*float64(len(sorted)-1))]
}
