package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkRunTrue starts and ends `true` in a run-phase box 100 times, box set-up and
// tear-down included (network namespace, workspace, cgroup, bubblewrap).
func BenchmarkRunTrue(b *testing.B) {
	m := newManager(b)
	ctx := context.Background()
	var all, runs []time.Duration
	for i := 0; i < b.N; i++ {
		for j := 0; j < 100; j++ {
			start := time.Now()
			box, err := m.NewBox(ctx, fmt.Sprintf("bench-%d", j))
			if err != nil {
				b.Fatal(err)
			}
			runStart := time.Now()
			r, err := box.Run(ctx, Spec{Phase: "web", Command: "true"})
			if err != nil || !r.OK() {
				b.Fatalf("%v %+v", err, r)
			}
			runs = append(runs, time.Since(runStart))
			if err := box.Close(); err != nil {
				b.Fatal(err)
			}
			all = append(all, time.Since(start))
		}
	}
	b.ReportMetric(ms(percentile(all, 50)), "median-ms")
	b.ReportMetric(ms(percentile(all, 95)), "p95-ms")
	b.ReportMetric(ms(percentile(runs, 50)), "run-only-median-ms")
	b.ReportMetric(ms(percentile(runs, 95)), "run-only-p95-ms")
}

func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkNpmCi runs `npm ci` of a small project (express) through the egress proxy in
// a box and as a plain process, each from an empty cache, and reports the ratio of the
// medians: "ratio" with the box allowed both CPUs as the plain process is,
// "ratio-1cpu" under the default quota of one CPU. It reaches registry.npmjs.org.
func BenchmarkNpmCi(b *testing.B) {
	if testing.Short() {
		b.Skip("reaches registry.npmjs.org")
	}
	m := newManager(b)
	ctx := context.Background()
	project := b.TempDir()
	os.WriteFile(filepath.Join(project, "package.json"), []byte(`{"name":"bench","version":"1.0.0","dependencies":{"express":"4.21.2"}}`), 0o644)
	lock := exec.Command("npm", "install", "--package-lock-only", "--no-audit", "--no-fund")
	lock.Dir = project
	if out, err := lock.CombinedOutput(); err != nil {
		b.Fatalf("lock file: %v: %s", err, out)
	}
	const rounds = 3
	var boxed, boxed1, plain []time.Duration
	boxedRun := func(name string, cpus float64) time.Duration {
		box, err := m.NewBox(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		defer box.Close()
		copyProject(b, project, box.Dir())
		start := time.Now()
		r, err := box.Run(ctx, Spec{Phase: "build", Egress: true, Command: "npm ci --no-audit --no-fund --loglevel=error",
			Limits: Limits{CPUs: cpus}})
		if err != nil || !r.OK() {
			b.Fatalf("%v %+v", err, r)
		}
		return time.Since(start)
	}
	for i := 0; i < b.N*rounds; i++ {
		boxed = append(boxed, boxedRun(fmt.Sprintf("npm-bench-%d", i), 2))
		boxed1 = append(boxed1, boxedRun(fmt.Sprintf("npm-bench-1cpu-%d", i), 1))

		dir := b.TempDir()
		copyProject(b, project, dir)
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "npm_config_cache="+filepath.Join(dir, ".npm-cache"))
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("plain npm ci: %v: %s", err, out)
		}
		plain = append(plain, time.Since(start))
	}
	b.ReportMetric(ms(percentile(boxed, 50)), "sandbox-median-ms")
	b.ReportMetric(ms(percentile(plain, 50)), "plain-median-ms")
	b.ReportMetric(float64(percentile(boxed, 50))/float64(percentile(plain, 50)), "ratio")
	b.ReportMetric(float64(percentile(boxed1, 50))/float64(percentile(plain, 50)), "ratio-1cpu")
}

func copyProject(b *testing.B, from, to string) {
	for _, f := range []string{"package.json", "package-lock.json"} {
		data, err := os.ReadFile(filepath.Join(from, f))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, f), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}
