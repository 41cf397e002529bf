package simjob_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/assayhq/assay/internal/similarity"
)

// benchGroup is how many submissions of one take-home the benchmark's
// organisation holds (ASSAY_BENCH_SIMILARITY_GROUP); the engine's own
// benchmark (internal/similarity) takes 1,000 without PostgreSQL.
func benchGroup() int {
	if n, err := strconv.Atoi(os.Getenv("ASSAY_BENCH_SIMILARITY_GROUP")); err == nil && n > 0 {
		return n
	}
	return 300
}

// benchCode is about 3,000 lines of Go in 10 files whose structure
// (statements, nesting, operators, call arities) follows seed, as in the
// engine's benchmark: submissions with other seeds share the idioms only.
func benchCode(seed uint64) fstest.MapFS {
	rng := rand.New(rand.NewPCG(seed, 11))
	name := func() string { return fmt.Sprintf("v%x", rng.Uint32()) }
	operators := []string{"+", "-", "*", "<", ">", "==", "!=", "&&", "||", "%"}
	value := func() string {
		switch rng.IntN(4) {
		case 0:
			return strconv.Itoa(rng.IntN(1000))
		case 1:
			return strconv.Quote(name())
		case 2:
			return name() + "." + name()
		default:
			return name()
		}
	}
	expression := func() string { return value() + " " + operators[rng.IntN(len(operators))] + " " + value() }
	files := fstest.MapFS{}
	for f := range 10 {
		var b strings.Builder
		lines := 0
		emit := func(depth int, format string, args ...any) {
			b.WriteString(strings.Repeat("\t", depth))
			fmt.Fprintf(&b, format+"\n", args...)
			lines++
		}
		var block func(depth, statements int)
		block = func(depth, statements int) {
			for range statements {
				switch kind := rng.IntN(7); {
				case kind == 0 && depth < 3:
					emit(depth, "if %s {", expression())
					block(depth+1, 1+rng.IntN(3))
					emit(depth, "}")
				case kind == 1 && depth < 3:
					emit(depth, "for %s := range %s {", name(), name())
					block(depth+1, 1+rng.IntN(3))
					emit(depth, "}")
				case kind == 2:
					emit(depth, "%s, err := %s(%s)", name(), name(), expression())
					emit(depth, "if err != nil {\n%sreturn err\n%s}", strings.Repeat("\t", depth+1), strings.Repeat("\t", depth))
				case kind == 3:
					args := make([]string, 1+rng.IntN(4))
					for i := range args {
						args[i] = value()
					}
					emit(depth, "%s.%s(%s)", name(), name(), strings.Join(args, ", "))
				default:
					emit(depth, "%s := %s", name(), expression())
				}
			}
		}
		b.WriteString("package service\n\n")
		for lines < 300 {
			emit(0, "func %s(%s int, %s string) error {", name(), name(), name())
			block(1, 4+rng.IntN(8))
			emit(1, "return nil")
			emit(0, "}\n")
		}
		files[fmt.Sprintf("internal/service/part%d.go", f)] = &fstest.MapFile{Data: []byte(b.String())}
	}
	return files
}

// BenchmarkCompareAgainstStoredGroup stores a group of submissions of about
// 3,000 lines with their fingerprints, then measures what the product does:
// the recompute command over the whole group (index rebuilt from stored
// fingerprints, every document compared, results stored) and the task for
// one more graded run (its lexing, the index rebuilt from PostgreSQL, its
// comparison, both sides' results stored), with the stored size of one
// snapshot's fingerprints.
func BenchmarkCompareAgainstStoredGroup(b *testing.B) {
	n := benchGroup()
	e := newEnv(b)
	ctx := context.Background()
	planets := e.assessment(b, e.a, "planets-crud")
	ids := make([]string, n)
	for i := range n {
		ids[i] = e.graded(b, e.a, planets, fmt.Sprintf("C%d", i), benchCode(uint64(i)))
	}
	// Fingerprint the group on every core, as the tasks would have, and keep
	// the fingerprints as they do.
	ix := similarity.NewIndex(similarity.Options{})
	var wg sync.WaitGroup
	next := make(chan int)
	var size int
	var mu sync.Mutex
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				files, err := e.st.CodeFiles(ctx, e.a.OrgID, ids[i], 1)
				if err != nil {
					b.Error(err)
					continue
				}
				in := make([]similarity.File, len(files))
				for j, f := range files {
					in[j] = similarity.File{Path: f.Path, Content: f.Content}
				}
				raw, err := ix.Fingerprint(in).MarshalBinary()
				if err == nil {
					err = e.st.SetSnapshotFingerprints(ctx, e.a.OrgID, ids[i], 1, raw)
				}
				if err != nil {
					b.Error(err)
				}
				mu.Lock()
				size = max(size, len(raw))
				mu.Unlock()
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	last := e.graded(b, e.a, planets, "Last", benchCode(uint64(n)))
	for b.Loop() {
		// The task of one more graded run: its snapshot has no fingerprints yet.
		if err := e.st.SetSnapshotFingerprints(ctx, e.a.OrgID, last, 1, nil); err != nil {
			b.Fatal(err)
		}
		start, startCPU := time.Now(), cpuSeconds()
		if err := e.job.CompareSubmission(ctx, last, 1); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/task-one-more")
		b.ReportMetric(cpuSeconds()-startCPU, "cpu-s/task-one-more")

		start, startCPU = time.Now(), cpuSeconds()
		done, err := e.job.Recompute(ctx, e.a.OrgID, planets)
		if err != nil || done.Documents != n+1 {
			b.Fatalf("recompute %+v: %v", done, err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/recompute-group")
		b.ReportMetric(cpuSeconds()-startCPU, "cpu-s/recompute-group")
		b.ReportMetric(float64(done.Flagged), "flagged")
	}
	b.ReportMetric(float64(n), "submissions")
	b.ReportMetric(float64(size), "fingerprint-bytes/snapshot")
}

func cpuSeconds() float64 {
	var usage syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}
