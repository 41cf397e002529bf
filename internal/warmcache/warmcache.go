// Package warmcache keeps the warm Go caches every box reads (see the sandbox's
// gocache.go). Compiling the standard library and the PostgreSQL drivers is most of a Go
// take-home's build: two minutes of one CPU cold, a second warm. The cache is made by
// compiling a module of ours (module/), in a box set up like a candidate's build, so
// the cache keys (GOROOT, GOPATH, flags) are the ones candidates' builds look up. It is
// never made from a candidate's build, which could plant objects in it.
//
// Each build is a generation, a directory named after the Go toolchain and the time it
// was made, published by a rename once complete and never changed after. Go drops cache
// entries unused for five days, and entries in a read-only cache are never marked used,
// so a generation is replaced after MaxAge.
package warmcache

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/sandbox"
	"golang.org/x/sys/unix"
)

// module is the Go module compiled to warm the cache; its files carry a .txt suffix so
// that they are not part of Assay's own module.
//
//go:embed module
var module embed.FS

// GoModule returns the files of the module the cache is made from: the standard library
// packages services are made of, pgx and lib/pq.
func GoModule() map[string]string {
	files := map[string]string{}
	ents, err := module.ReadDir("module")
	if err != nil {
		panic(fmt.Sprintf("warmcache: embedded module: %v", err)) // embed guarantees it
	}
	for _, e := range ents {
		data, err := module.ReadFile("module/" + e.Name())
		if err != nil {
			panic(fmt.Sprintf("warmcache: embedded module: %v", err))
		}
		files[strings.TrimSuffix(e.Name(), ".txt")] = string(data)
	}
	return files
}

// DefaultMaxAge is how long a generation is used: well inside Go's five days.
const DefaultMaxAge = 3 * 24 * time.Hour

// Keeper makes warm cache generations under Dir and gives the newest to Sandbox.
type Keeper struct {
	Dir     string           // where generations live, e.g. StateDir/warm
	Sandbox *sandbox.Manager // whose boxes use the cache
	Module  map[string]string
	MaxAge  time.Duration
	Log     *slog.Logger
	// Toolchain returns the Go version builds in boxes use; generations of another
	// version are not used. Default: `go env GOVERSION` with the boxes' PATH.
	Toolchain func() (string, error)
}

func (k *Keeper) defaults() {
	if k.Module == nil {
		k.Module = GoModule()
	}
	if k.MaxAge == 0 {
		k.MaxAge = DefaultMaxAge
	}
	if k.Log == nil {
		k.Log = slog.Default()
	}
	if k.Toolchain == nil {
		k.Toolchain = boxToolchain
	}
}

// boxToolchain asks the Go on the boxes' PATH for its version, found by the shell as
// a Procfile line finds it.
func boxToolchain() (string, error) {
	cmd := exec.Command("/bin/sh", "-c", "exec go env GOVERSION")
	cmd.Env = []string{"PATH=" + sandbox.DefaultPath, "HOME=/nonexistent", "GOTOOLCHAIN=local"}
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("no Go toolchain answers on the boxes' PATH (%s): %w", sandbox.DefaultPath, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Generation is one published warm cache.
type Generation struct {
	Dir   string
	Built time.Time
}

// Current returns the newest generation made with the toolchain boxes use now.
func (k *Keeper) Current() (Generation, bool, error) {
	k.defaults()
	version, err := k.Toolchain()
	if err != nil {
		return Generation{}, false, err
	}
	return k.newest(version)
}

// newest returns the newest generation of a toolchain.
func (k *Keeper) newest(version string) (Generation, bool, error) {
	gens, err := k.generations(version)
	if err != nil || len(gens) == 0 {
		return Generation{}, false, err
	}
	return gens[0], true, nil
}

// generations lists the published generations of a toolchain, newest first. A
// generation is "<version>-<unix seconds>".
func (k *Keeper) generations(version string) ([]Generation, error) {
	ents, err := os.ReadDir(k.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("warm cache: %w", err)
	}
	var gens []Generation
	for _, e := range ents {
		stamp, ok := strings.CutPrefix(e.Name(), version+"-")
		if !e.IsDir() || !ok {
			continue
		}
		secs, err := strconv.ParseInt(stamp, 10, 64)
		if err != nil {
			continue
		}
		gens = append(gens, Generation{Dir: filepath.Join(k.Dir, e.Name()), Built: time.Unix(secs, 0)})
	}
	sort.Slice(gens, func(i, j int) bool { return gens[i].Built.After(gens[j].Built) })
	return gens, nil
}

// Run keeps the boxes on a fresh generation until ctx ends: it uses the newest one,
// makes a new one when there is none or it is older than MaxAge, and looks again every
// hour. Failures are logged; Go builds then run cold, slower but correct.
func (k *Keeper) Run(ctx context.Context) {
	k.defaults()
	for {
		version, err := k.Toolchain()
		if err == nil {
			_, err = k.ensure(ctx, version)
			k.pruneLocked(version)
		}
		if err != nil && ctx.Err() == nil {
			k.Log.Warn("warm Go cache unavailable: Go builds run cold", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}

// Ensure gives the sandbox a generation younger than MaxAge, making one if needed.
// Keepers of several workers on one host share Dir: one makes it, the others use it.
func (k *Keeper) Ensure(ctx context.Context) (Generation, error) {
	k.defaults()
	version, err := k.Toolchain()
	if err != nil {
		return Generation{}, err
	}
	return k.ensure(ctx, version)
}

func (k *Keeper) ensure(ctx context.Context, version string) (Generation, error) {
	g, ok, err := k.newest(version)
	if err != nil {
		return Generation{}, err
	}
	if ok {
		k.Sandbox.SetWarmCache(g.Dir) // a stale one beats none while the next is made
		if time.Since(g.Built) < k.MaxAge {
			return g, nil
		}
	}
	if err := os.MkdirAll(k.Dir, 0o755); err != nil {
		return Generation{}, fmt.Errorf("warm cache: %w", err)
	}
	unlock, err := lockDir(ctx, filepath.Join(k.Dir, ".lock"))
	if err != nil {
		return Generation{}, err
	}
	defer unlock()
	// Another worker may have made one while we waited for the lock.
	if g, ok, err := k.newest(version); err == nil && ok && time.Since(g.Built) < k.MaxAge {
		k.Sandbox.SetWarmCache(g.Dir)
		return g, nil
	}
	g, err = k.build(ctx, version)
	if err != nil {
		return Generation{}, err
	}
	k.Sandbox.SetWarmCache(g.Dir)
	k.prune(version, time.Now())
	return g, nil
}

// build compiles the module in a cold box and publishes the caches it filled.
func (k *Keeper) build(ctx context.Context, version string) (Generation, error) {
	start := time.Now()
	k.Log.Info("making the warm Go cache", "go", version)
	suffix := strings.ToLower(rand.Text()[:8]) // a box name: [a-z0-9-]
	box, err := k.Sandbox.NewBox(ctx, "warm-"+suffix, sandbox.WithoutWarmCache())
	if err != nil {
		return Generation{}, fmt.Errorf("warm cache: %w", err)
	}
	defer box.Close()
	for name, content := range k.Module {
		if err := os.WriteFile(filepath.Join(box.Dir(), name), []byte(content), 0o644); err != nil {
			return Generation{}, fmt.Errorf("warm cache: write %s: %w", name, err)
		}
	}
	limits := sandbox.DefaultLimits("build")
	limits.CPUs = 2
	limits.Wall = 15 * time.Minute
	res, err := box.Run(ctx, sandbox.Spec{Phase: "build", Command: "go build -o /dev/null .", Egress: true, Limits: limits})
	if err != nil {
		return Generation{}, fmt.Errorf("warm cache: %w", err)
	}
	if res.PlatformFault != "" {
		return Generation{}, fmt.Errorf("warm cache: the Go module proxy could not be reached: %s", res.PlatformFault)
	}
	if !res.OK() {
		return Generation{}, fmt.Errorf("warm cache: go build: %s: %s", res.Message, lastLines(res.Output, 5))
	}
	tmp := filepath.Join(k.Dir, ".new-"+suffix)
	defer os.RemoveAll(tmp) // gone once renamed; left only by a failure
	home := filepath.Join(box.Dir(), ".home")
	for _, c := range []struct{ from, to string }{
		{filepath.Join(home, ".cache", "go-build"), sandbox.WarmGoBuildDir},
		{filepath.Join(home, "go", "pkg", "mod", "cache", "download"), sandbox.WarmGoModDir},
	} {
		if err := copyReadOnly(c.from, filepath.Join(tmp, c.to)); err != nil {
			return Generation{}, fmt.Errorf("warm cache: %w", err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return Generation{}, fmt.Errorf("warm cache: %w", err)
	}
	built := time.Now()
	dir := filepath.Join(k.Dir, fmt.Sprintf("%s-%d", version, built.Unix()))
	if err := os.Rename(tmp, dir); err != nil {
		return Generation{}, fmt.Errorf("warm cache: publish: %w", err)
	}
	k.Log.Info("warm Go cache ready", "dir", dir, "took", time.Since(start).Round(time.Second))
	return Generation{Dir: dir, Built: time.Unix(built.Unix(), 0)}, nil
}

// supersededGrace is how long a replaced generation stays: other workers on the host
// switch within the hour (Run's interval), and a box keeps its generation for its
// life, under half an hour.
const supersededGrace = 2 * time.Hour

// prune removes what is no longer used, under the lock (it would otherwise remove a
// build in progress): unfinished builds, and, once the newest generation is older than
// supersededGrace, every generation but the two newest of the toolchain in use
// (other toolchains' included).
func (k *Keeper) prune(version string, now time.Time) {
	gens, err := k.generations(version)
	if err != nil || len(gens) == 0 {
		return
	}
	settled := now.Sub(gens[0].Built) > supersededGrace
	keep := map[string]bool{}
	for i := 0; i < len(gens) && i < 2; i++ {
		keep[filepath.Base(gens[i].Dir)] = true
	}
	ents, _ := os.ReadDir(k.Dir)
	for _, e := range ents {
		unfinished := strings.HasPrefix(e.Name(), ".new-")
		if !e.IsDir() || keep[e.Name()] || !unfinished && !settled {
			continue
		}
		if err := os.RemoveAll(filepath.Join(k.Dir, e.Name())); err != nil {
			k.Log.Warn("remove an old warm Go cache", "dir", e.Name(), "err", err)
		}
	}
}

// pruneLocked prunes under the lock, if it is free: a keeper that holds it is
// building, and prunes after.
func (k *Keeper) pruneLocked(version string) {
	unlock, ok, err := tryLock(filepath.Join(k.Dir, ".lock"))
	if err != nil || !ok {
		return
	}
	defer unlock()
	k.prune(version, time.Now())
}

// copyReadOnly copies the regular files and directories under from (a box's checkout,
// read through os.Root so no link leads out of it) to to, as root's and read-only. A
// missing from gives an empty directory.
func copyReadOnly(from, to string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	root, err := os.OpenRoot(from)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer root.Close()
	return fs.WalkDir(root.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(to, filepath.FromSlash(path))
		switch {
		case path == ".":
			return nil
		case d.IsDir():
			return os.Mkdir(dst, 0o755)
		case d.Type().IsRegular():
			return copyFile(root, path, dst)
		default:
			return nil // links and the like are not cache entries
		}
	})
}

func copyFile(root *os.Root, path, dst string) error {
	src, err := root.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o444)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", path, err)
	}
	return out.Close()
}

// lockDir takes an exclusive lock on path, waiting for it until ctx ends.
func lockDir(ctx context.Context, path string) (unlock func(), err error) {
	for {
		unlock, ok, err := tryLock(path)
		if err != nil || ok {
			return unlock, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// tryLock takes an exclusive lock on path if no one holds it.
func tryLock(path string) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("warm cache: lock: %w", err)
	}
	switch err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); {
	case err == nil:
		return func() { f.Close() }, true, nil
	case errors.Is(err, unix.EWOULDBLOCK):
		f.Close()
		return nil, false, nil
	default:
		f.Close()
		return nil, false, fmt.Errorf("warm cache: lock: %w", err)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
