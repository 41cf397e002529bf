package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
)

// benchRepoFiles is the size of the generated repository the code benchmark reads.
const benchRepoFiles = 2000

// writeBenchRepo writes a repository of benchRepoFiles files on disk: Go,
// JavaScript and Python sources of 1–4 KB in nested folders, one generated
// Go file of about 200 KB (the largest), plus a node_modules folder and
// binaries that the snapshot must skip.
func writeBenchRepo(b *testing.B) string {
	dir := b.TempDir()
	write := func(p, content string) {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	exts := []string{".go", ".js", ".py"}
	for i := range benchRepoFiles - 1 {
		ext := exts[i%len(exts)]
		var body strings.Builder
		for l := range 20 + i%60 {
			switch ext {
			case ".go":
				fmt.Fprintf(&body, "func f%d_%d(x int) int { return x * %d } // %s\n", i, l, l, "step")
			case ".js":
				fmt.Fprintf(&body, "export const f%d_%d = (x) => x * %d; // step\n", i, l, l)
			default:
				fmt.Fprintf(&body, "def f%d_%d(x):\n    return x * %d  # step\n", i, l, l)
			}
		}
		write(fmt.Sprintf("pkg%02d/sub%d/file%04d%s", i%40, i%7, i, ext), body.String())
	}
	var big strings.Builder
	big.WriteString("package gen\n\n")
	for l := 0; big.Len() < 200<<10; l++ {
		fmt.Fprintf(&big, "var table%d = map[string]int{\"key%d\": %d, \"other\": %d} // generated\n", l, l, l, l*2)
	}
	write("gen/tables.go", big.String())
	for i := range 200 {
		write(fmt.Sprintf("node_modules/dep%d/index.js", i), "module.exports = 1\n")
	}
	for i := range 20 {
		write(fmt.Sprintf("assets/img%d.png", i), "\x89PNG\x00\x00\x00")
	}
	return dir
}

// cpuTime is the process's CPU time so far: on a shared machine the wall
// time of a step says more about the neighbours than about the step.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCodeSnapshot measures what a graded run adds for the code
// browser on a 2,000-file repository: taking the snapshot through an
// os.Root as the engine does, storing it with the run, and the first render
// of its largest file (a cold page: the files read from PostgreSQL,
// decompressed, highlighted).
func BenchmarkCodeSnapshot(b *testing.B) {
	e := newEnv(b, "")
	dir := writeBenchRepo(b)
	cookie := e.sessionCookie(store.RoleReviewer)
	for range b.N {
		root, err := os.OpenRoot(dir)
		if err != nil {
			b.Fatal(err)
		}
		start, cpu := time.Now(), cpuTime()
		snap, err := snapshot.Take(root.FS(), snapshot.Limits{})
		root.Close()
		if err != nil {
			b.Fatal(err)
		}
		take, takeCPU := time.Since(start), cpuTime()-cpu
		if len(snap.Files) != benchRepoFiles {
			b.Fatalf("kept %d files, want %d (skipped %d)", len(snap.Files), benchRepoFiles, len(snap.Skipped))
		}
		start = time.Now()
		id, _ := gradedWithCode(b, e, "Bench", codeScorecard(), snap)
		stored := time.Since(start)
		var gz int
		if err := e.st.SQL().QueryRow(`SELECT length(files_gz) FROM code_snapshots WHERE submission_id = $1`, id).Scan(&gz); err != nil {
			b.Fatal(err)
		}
		largest := snap.Largest()
		req := httptest.NewRequest(http.MethodGet, "/submissions/"+id+"/code?"+url.Values{"path": {largest.Path}}.Encode(), nil)
		req.AddCookie(cookie)
		w := httptest.NewRecorder()
		start, cpu = time.Now(), cpuTime()
		e.engine.ServeHTTP(w, req)
		render, renderCPU := time.Since(start), cpuTime()-cpu
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="L`) {
			b.Fatalf("render %s: %d", largest.Path, w.Code)
		}
		var total int
		for _, f := range snap.Files {
			total += len(f.Content)
		}
		b.ReportMetric(float64(take.Microseconds())/1000, "take-ms")
		b.ReportMetric(float64(stored.Microseconds())/1000, "store-ms")
		b.ReportMetric(float64(total)/(1<<20), "text-MiB")
		b.ReportMetric(float64(gz)/(1<<20), "stored-MiB")
		b.ReportMetric(float64(len(largest.Content))/1024, "largest-KiB")
		b.ReportMetric(float64(render.Microseconds())/1000, "render-ms")
		b.ReportMetric(float64(takeCPU.Microseconds())/1000, "take-cpu-ms")
		b.ReportMetric(float64(renderCPU.Microseconds())/1000, "render-cpu-ms")
	}
}
