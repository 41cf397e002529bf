package sandbox

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// warmCache writes a warm cache as package warmcache leaves one: root's files, read-only.
func warmCache(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		WarmGoModDir + "/example.com/m/@v/list": "v1.0.0\n",
		WarmGoBuildDir + "/ab/entry-d":          "warm object",
		WarmGoBuildDir + "/README":              "go build cache",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestWarmCacheReadOnly: every box reads the warm caches; a box can add to its own view
// of the build cache, but it can change nothing another box sees.
func TestWarmCacheReadOnly(t *testing.T) {
	cache := warmCache(t)
	m := newManager(t)
	m.SetWarmCache(cache)
	b := newBox(t, m, "warm-a")
	r := run(t, b, Spec{Phase: "build", Command: `
		echo "$GOCACHE $GOPROXY"
		cat /cache/gomod/example.com/m/@v/list
		{ echo poison > /cache/gomod/example.com/m/@v/list; } 2>/dev/null && echo MODULE-POISONED
		cat /gocache/ab/entry-d; echo
		{ echo poison > /gocache/ab/entry-d; } 2>/dev/null && echo OBJECT-POISONED
		echo fresh > /gocache/ab/new-d && cat /gocache/ab/new-d
		mkdir /gocache/cd && echo more > /gocache/cd/x-d && echo added
		rm /gocache/README && echo removed-here`})
	want := "/gocache file:///cache/gomod,https://proxy.golang.org\nv1.0.0\nwarm object\nfresh\nadded\nremoved-here\n"
	if !r.OK() || r.Output != want {
		t.Fatalf("got %q, want %q (%+v)", r.Output, want, r)
	}
	// The same box keeps its additions from phase to phase.
	if r := run(t, b, Spec{Phase: "web", Command: `cat /gocache/ab/new-d`}); r.Output != "fresh\n" {
		t.Fatalf("the build's cache entries are gone in the next phase: %+v", r)
	}
	if data, err := os.ReadFile(filepath.Join(cache, WarmGoBuildDir, "ab", "entry-d")); err != nil || string(data) != "warm object" {
		t.Fatalf("the warm cache changed: %q %v", data, err)
	}
	for _, name := range []string{"ab/new-d", "cd"} {
		if _, err := os.Stat(filepath.Join(cache, WarmGoBuildDir, name)); err == nil {
			t.Fatalf("%s reached the warm cache", name)
		}
	}
	other := newBox(t, m, "warm-b")
	r = run(t, other, Spec{Phase: "build", Command: `cat /gocache/README; echo; ls /gocache/ab`})
	if r.Output != "go build cache\nentry-d\n" {
		t.Fatalf("another box sees the first box's changes: %q", r.Output)
	}
}

// TestWarmCacheMountStaysInPhase: the overlay never shows in the worker's mount table,
// and nothing of it is left once the box is closed.
func TestWarmCacheMountStaysInPhase(t *testing.T) {
	m := newManager(t)
	m.SetWarmCache(warmCache(t))
	b, err := m.NewBox(context.Background(), "warm-mount")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() }) // on failure too: a left box would fail the next run
	p, err := b.Start(context.Background(), Spec{Phase: "web", Command: "sleep 100"})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	for _, table := range []string{"/proc/self/mountinfo", "/proc/1/mountinfo"} {
		if data, _ := os.ReadFile(table); strings.Contains(string(data), b.goCache.merged) {
			t.Fatalf("the overlay is in %s", table)
		}
	}
	p.Stop()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	assertGone(t, "warm-mount")
	if _, err := os.Stat(filepath.Dir(b.goCache.upper)); !os.IsNotExist(err) {
		t.Fatalf("the box's cache layer is left: %v", err)
	}
}

// TestWarmCacheCountsAgainstDisk: what a build adds to the cache is the box's disk use.
func TestWarmCacheCountsAgainstDisk(t *testing.T) {
	m := newManager(t)
	m.SetWarmCache(warmCache(t))
	b := newBox(t, m, "warm-disk")
	r := run(t, b, Spec{Phase: "build", Command: `for i in 1 2 3 4 5 6 7 8; do head -c 10000000 /dev/zero > /gocache/ab/f$i-d; done; sleep 30`,
		Limits: Limits{Disk: 50 << 20, Wall: 20 * time.Second}})
	expectVerdict(t, r, CauseDisk, "build used too much disk space (50 MiB)")
}

// TestWithoutWarmCache: with none, GOCACHE is the box's own and /gocache does not exist.
func TestWithoutWarmCache(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "cold")
	r := run(t, b, Spec{Phase: "build", Command: `echo "$GOCACHE"; test -e /gocache || echo none; test -e /cache || echo none`})
	if r.Output != "/app/.home/.cache/go-build\nnone\nnone\n" {
		t.Fatalf("%q", r.Output)
	}
}

// TestWarmCacheGoneSaysSo: a box whose warm cache was removed under it cannot start a
// phase, says why, and still closes cleanly.
func TestWarmCacheGoneSaysSo(t *testing.T) {
	cache := warmCache(t)
	m := newManager(t)
	m.SetWarmCache(cache)
	b := newBox(t, m, "warm-gone")
	if err := os.RemoveAll(filepath.Join(cache, WarmGoBuildDir)); err != nil {
		t.Fatal(err)
	}
	_, err := b.Run(context.Background(), Spec{Phase: "build", Command: "true"})
	if err == nil || !strings.Contains(err.Error(), "warm cache: mount overlay") {
		t.Fatalf("got %v", err)
	}
}

// TestWarmCacheLayerNeverWrittenAsRoot: whatever a build does to the warm entries in its
// view (rename, hard-link, delete) and adds, the kernel writes the box's layer with the
// box's identity: nothing in it belongs to root, so root never wrote there for the box.
func TestWarmCacheLayerNeverWrittenAsRoot(t *testing.T) {
	m := newManager(t)
	m.SetWarmCache(warmCache(t))
	b := newBox(t, m, "warm-owner")
	r := run(t, b, Spec{Phase: "build", Command: `
		mv /gocache/ab/entry-d /gocache/ab/moved-d
		ln /gocache/README /gocache/ab/linked-d
		rm /gocache/README
		echo fresh > /gocache/ab/new-d && cat /gocache/ab/new-d`})
	if !strings.HasSuffix(r.Output, "fresh\n") {
		t.Fatalf("%+v", r)
	}
	filepath.WalkDir(b.goCache.upper, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		info, err := d.Info()
		if err != nil {
			t.Fatal(err)
		}
		if st := info.Sys().(*syscall.Stat_t); int(st.Uid) != b.uid() || int(st.Gid) != b.gid() {
			t.Errorf("%s belongs to %d:%d, not the box (%d:%d)", path, st.Uid, st.Gid, b.uid(), b.gid())
		}
		return nil
	})
}
