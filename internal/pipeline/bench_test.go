package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/assayhq/assay/graders"
	"github.com/assayhq/assay/internal/gitfetch/gittest"
	"github.com/assayhq/assay/internal/grading/gradingtest"
	"github.com/assayhq/assay/internal/testenv"
)

// BenchmarkPipeline queues N submissions of a reference solution at once
// (ASSAY_BENCH_SUBMISSIONS, default 20; ASSAY_BENCH_SOLUTION, default the Go
// shopping-list solution) and reports wall time, p50/p95 from submit to
// scorecard, and the pipeline's overhead against grading the same commit
// directly (what `assay grade` does), per submission at the same concurrency.
func BenchmarkPipeline(b *testing.B) {
	n := 20
	if v, err := strconv.Atoi(os.Getenv("ASSAY_BENCH_SUBMISSIONS")); err == nil && v > 0 {
		n = v
	}
	solution := os.Getenv("ASSAY_BENCH_SOLUTION")
	if solution == "" {
		solution = "go"
	}
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
	// The direct grading of one submission: the baseline.
	start := time.Now()
	if _, err := env.Grade(context.Background(), suite, dest, gradingtest.Options{}); err != nil {
		b.Fatal(err)
	}
	direct := time.Since(start)

	for i := 0; i < b.N; i++ {
		h := newHarness(b)
		repo := newGitServer(b, root) + "/acme/lists"
		p := h.pipeline(fmt.Sprintf("bench-%d", i), 30*time.Second)
		p.Suites = graders.All
		var ids []string
		submitted := time.Now()
		for j := 0; j < n; j++ {
			ids = append(ids, h.submit(suite, repo))
		}
		concurrency := 2
		h.runWorker(p, testenv.RedisAddr(), concurrency)
		subs := h.waitFinished(ids, 2*time.Hour)
		wall := time.Since(submitted)
		var lat []time.Duration
		for _, s := range subs {
			if s.FinishedAt != nil {
				lat = append(lat, s.FinishedAt.Sub(s.CreatedAt))
			}
		}
		slices.Sort(lat)
		pct := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
		ideal := direct * time.Duration((n+concurrency-1)/concurrency)
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(pct(0.5).Seconds(), "p50-s")
		b.ReportMetric(pct(0.95).Seconds(), "p95-s")
		b.ReportMetric(direct.Seconds(), "direct-s")
		b.ReportMetric(100*(wall.Seconds()/ideal.Seconds()-1), "overhead-%")
		fmt.Fprintf(os.Stderr, "pipeline: %d × %s at concurrency %d: wall %s, p50 %s, p95 %s; one direct grading %s, overhead %.1f%%\n",
			n, solution, concurrency, wall.Round(time.Second), pct(0.5).Round(time.Second), pct(0.95).Round(time.Second),
			direct.Round(time.Millisecond), 100*(wall.Seconds()/ideal.Seconds()-1))
	}
}
