package similarity

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The benchmark's corpus: submissions of about 3,000 lines of Go, each made of
// functions whose shape (statements, nesting, operators) comes from a seed and
// whose names come from another, so the same shape under other names is a
// renamed copy and a new shape is code nobody else wrote.
const (
	benchSubmissions   = 1000
	benchLinesEach     = 3000
	benchSharedShapes  = 300 // functions many candidates write alike
	benchSharedPercent = 25  // of each submission's functions
	benchCopyEvery     = 20  // every 20th submission copies half of an earlier one
)

type benchFunction struct{ shape, names uint64 }

// writeFunction renders one function: the shape seed picks the statements,
// the names seed the identifiers and literals.
func writeFunction(out *strings.Builder, f benchFunction) int {
	shape := rand.New(rand.NewPCG(f.shape, 1))
	names := rand.New(rand.NewPCG(f.names, 2))
	name := func() string { return fmt.Sprintf("v%x", names.Uint32()) }
	operators := []string{"+", "-", "*", "<", ">", "==", "!=", "&&", "||", "%"}
	value := func() string {
		switch shape.IntN(4) {
		case 0:
			return fmt.Sprint(names.IntN(1000))
		case 1:
			return fmt.Sprintf("%q", name())
		case 2:
			return name() + "." + name()
		default:
			return name()
		}
	}
	expression := func() string {
		return value() + " " + operators[shape.IntN(len(operators))] + " " + value()
	}
	lines := 0
	emit := func(depth int, format string, args ...any) {
		out.WriteString(strings.Repeat("\t", depth))
		fmt.Fprintf(out, format, args...)
		out.WriteString("\n")
		lines++
	}
	var block func(depth, statements int)
	block = func(depth, statements int) {
		for range statements {
			switch kind := shape.IntN(9); {
			case kind == 0 && depth < 3:
				emit(depth, "if %s {", expression())
				block(depth+1, 1+shape.IntN(3))
				emit(depth, "}")
			case kind == 1 && depth < 3:
				emit(depth, "for %s := 0; %s < len(%s); %s++ {", name(), name(), name(), name())
				block(depth+1, 1+shape.IntN(3))
				emit(depth, "}")
			case kind == 2:
				emit(depth, "%s, err := %s(%s)", name(), name(), expression())
				emit(depth, "if err != nil {")
				emit(depth+1, "return fmt.Errorf(%q, err)", name()+": %w")
				emit(depth, "}")
			case kind == 3:
				emit(depth, "%s = append(%s, %s)", name(), name(), value())
			case kind == 4:
				emit(depth, "%s.%s(%s, %s)", name(), name(), value(), value())
			case kind == 5 && depth < 3:
				emit(depth, "switch %s {", value())
				for range 1 + shape.IntN(3) {
					emit(depth, "case %s:", value())
					block(depth+1, 1)
				}
				emit(depth, "}")
			case kind == 6:
				emit(depth, "// %s", name())
			default:
				emit(depth, "%s := %s", name(), expression())
			}
		}
	}
	emit(0, "func %s(%s int, %s string) error {", name(), name(), name())
	block(1, 4+shape.IntN(8))
	emit(1, "return nil")
	emit(0, "}")
	emit(0, "")
	return lines
}

// benchCorpus builds the submissions: mostly functions of their own, a
// quarter from the shared shapes under their own names, and every
// benchCopyEvery-th one half copied (renamed, reordered) from an earlier one.
func benchCorpus(count int) []Document {
	group := Group{OrgID: "bench", Takehome: "bench"}
	functions := make([][]benchFunction, count)
	docs := make([]Document, count)
	for i := range count {
		rng := rand.New(rand.NewPCG(uint64(i), 3))
		var own []benchFunction
		if i%benchCopyEvery == benchCopyEvery-1 && i >= 7 {
			source := functions[i-7]
			for _, f := range source[:len(source)/2] {
				own = append(own, benchFunction{shape: f.shape, names: rng.Uint64()})
			}
			rng.Shuffle(len(own), func(a, b int) { own[a], own[b] = own[b], own[a] })
		}
		var files []File
		var file strings.Builder
		lines, fileLines := 0, 0
		next := 0
		for lines < benchLinesEach {
			var f benchFunction
			switch {
			case next < len(own):
				f = own[next]
				next++
			case rng.IntN(100) < benchSharedPercent:
				f = benchFunction{shape: 1<<40 + uint64(rng.IntN(benchSharedShapes)), names: rng.Uint64()}
			default:
				f = benchFunction{shape: uint64(i)<<20 + uint64(lines), names: rng.Uint64()}
			}
			functions[i] = append(functions[i], f)
			if fileLines == 0 {
				file.WriteString("package service\n\n")
			}
			n := writeFunction(&file, f)
			lines += n
			fileLines += n
			if fileLines >= 300 {
				files = append(files, File{Path: fmt.Sprintf("internal/service/part%d.go", len(files)), Content: file.String()})
				file.Reset()
				fileLines = 0
			}
		}
		if file.Len() > 0 {
			files = append(files, File{Path: fmt.Sprintf("internal/service/part%d.go", len(files)), Content: file.String()})
		}
		docs[i] = Document{ID: fmt.Sprintf("submission-%04d", i), Group: group, Files: files}
	}
	return docs
}

// prepareAll fingerprints documents on every core, as the workers would.
func prepareAll(b *testing.B, ix *Index, docs []Document) []Prepared {
	prepared := make([]Prepared, len(docs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				p, err := ix.Prepare(docs[i])
				if err != nil {
					b.Error(err)
				}
				prepared[i] = p
			}
		})
	}
	for i := range docs {
		next <- i
	}
	close(next)
	wg.Wait()
	return prepared
}

func cpuSeconds() float64 {
	var usage syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}

func heapInUse() uint64 {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc
}

// BenchmarkIndex1000Submissions fingerprints, indexes and compares 1,000
// submissions of about 3,000 lines, then adds one more; it reports wall and
// CPU time of each step (the machine is shared, so CPU time is the steadier
// figure) and the bytes the index holds.
func BenchmarkIndex1000Submissions(b *testing.B) {
	docs := benchCorpus(benchSubmissions + 1)
	last := docs[benchSubmissions]
	docs = docs[:benchSubmissions]
	for b.Loop() {
		before := heapInUse()
		ix := NewIndex(Options{})

		start, startCPU := time.Now(), cpuSeconds()
		prepared := prepareAll(b, ix, docs)
		fingerprinted, fingerprintedCPU := time.Now(), cpuSeconds()
		flagged := 0
		for _, p := range prepared {
			matches, err := ix.AddPrepared(p)
			if err != nil {
				b.Fatal(err)
			}
			for _, m := range matches {
				if m.Flags(DefaultThreshold) {
					flagged++
				}
			}
		}
		indexed, indexedCPU := time.Now(), cpuSeconds()
		prepared = nil

		oneStart, oneCPU := time.Now(), cpuSeconds()
		if _, err := ix.Add(last); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(oneStart).Seconds(), "s/add-one")
		b.ReportMetric(cpuSeconds()-oneCPU, "cpu-s/add-one")

		b.ReportMetric(fingerprinted.Sub(start).Seconds(), "s/fingerprint-all")
		b.ReportMetric(fingerprintedCPU-startCPU, "cpu-s/fingerprint-all")
		b.ReportMetric(indexed.Sub(fingerprinted).Seconds(), "s/index-compare-all")
		b.ReportMetric(indexedCPU-fingerprintedCPU, "cpu-s/index-compare-all")
		b.ReportMetric(indexed.Sub(start).Seconds(), "s/total")
		b.ReportMetric(float64(heapInUse()-before), "index-bytes")
		b.ReportMetric(float64(flagged), "flagged-pairs")
		runtime.KeepAlive(ix)
	}
}
