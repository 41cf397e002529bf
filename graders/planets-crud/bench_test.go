package planetscrud

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
)

// BenchmarkGradeGoSolution grades the complete Go solution and splits the
// time: fetch, build, start (release and web until ready, every start),
// checks (the rest), and the grader's own overhead: everything but the build
// and the service's own start-up.
func BenchmarkGradeGoSolution(b *testing.B) {
	env, err := gradingtest.Shared()
	if err != nil {
		b.Fatal(err)
	}
	repo := filepath.Join(b.TempDir(), "go")
	if err := gradingtest.Repo(filepath.Join("testdata", "solutions", "go"), repo); err != nil {
		b.Fatal(err)
	}
	var fetch, build, start, total time.Duration
	for b.Loop() {
		t0 := time.Now()
		card, err := env.Grade(context.Background(), Suite, repo, gradingtest.Options{})
		elapsed := time.Since(t0)
		if err != nil || card.Status != grading.StatusGraded || card.Score != 100 {
			b.Fatalf("graded %v: %v", card, err)
		}
		total += elapsed
		for _, p := range card.Phases {
			d := time.Duration(p.DurationMS) * time.Millisecond
			switch name := strings.SplitN(p.Name, "#", 2)[0]; name {
			case "fetch":
				fetch += d
			case "build":
				build += d
			case "release", "web":
				start += d
			}
		}
	}
	n := float64(b.N)
	sec := func(d time.Duration) float64 { return d.Seconds() / n }
	b.ReportMetric(sec(total), "total_s")
	b.ReportMetric(sec(fetch), "fetch_s")
	b.ReportMetric(sec(build), "build_s")
	b.ReportMetric(sec(start), "start_s")
	b.ReportMetric(sec(total-fetch-build-start), "checks_s")
	b.ReportMetric(sec(total-build-start), "overhead_s")
	b.ReportMetric(0, "ns/op")
}
