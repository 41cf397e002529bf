package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// The warm cache. Compiling the standard library and common modules is most of a Go
// build: a pgx service takes two minutes of one CPU cold and under a second warm. Boxes
// cannot share a writable cache (one build could plant objects another build links), so
// a warm cache is built from trusted code (package warmcache) and every box sees it
// read-only:
//
//   - WarmGoModDir, the module download cache, is served to `go` as a file:// proxy
//     from the read-only /cache mount, with the public proxy behind it;
//   - WarmGoBuildDir, the build cache, is the lower layer of an overlay whose upper
//     layer is the box's own, mounted at /gocache (GOCACHE) for each phase. The overlay
//     lives in a mount namespace made for the phase: it goes away with the phase's
//     processes, so a worker that dies leaves no mount behind.
const (
	WarmGoModDir   = "gomod"
	WarmGoBuildDir = "gobuild"

	goCacheInside = "/gocache"
)

// SetWarmCache makes dir the warm cache of boxes created from now on (boxes keep the one
// they started with, so a phase never sees its lower layer change). "" turns it off.
func (m *Manager) SetWarmCache(dir string) {
	m.warm.Store(&dir)
}

// WarmCache returns the warm cache new boxes get, or "".
func (m *Manager) WarmCache() string {
	if p := m.warm.Load(); p != nil {
		return *p
	}
	return ""
}

// goCacheLayers is a box's side of the build cache overlay, under its workspace (which
// the sandbox cannot see): the upper layer, overlayfs' work directory and the mount
// point bubblewrap binds at /gocache.
type goCacheLayers struct {
	lower, upper, work, merged string
}

// newGoCacheLayers prepares the box's layers over the warm build cache at lower. The
// upper layer repeats lower's directories, owned by the box's uid: in the merged view
// a directory takes the upper one's owner, so builds can add entries next to the warm
// ones, while the warm files stay root's and read-only.
func (b *Box) newGoCacheLayers(lower string) (*goCacheLayers, error) {
	if strings.ContainsAny(lower+b.work, ",:\\") {
		return nil, fmt.Errorf("warm cache: paths with ',', ':' or '\\' cannot be overlay layers: %s", lower)
	}
	base := filepath.Join(b.work, "gocache")
	l := &goCacheLayers{lower: lower, upper: filepath.Join(base, "upper"), work: filepath.Join(base, "work"), merged: filepath.Join(base, "merged")}
	for _, d := range []string{base, l.work, l.merged} { // the upper layer is made below
		if err := os.Mkdir(d, 0o711); err != nil {
			return nil, fmt.Errorf("warm cache: %w", err)
		}
	}
	ents, err := os.ReadDir(lower)
	if err != nil {
		return nil, fmt.Errorf("warm cache: %w", err)
	}
	dirs := []string{l.upper}
	for _, e := range ents {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(l.upper, e.Name()))
		}
	}
	for _, d := range dirs {
		if err := os.Mkdir(d, 0o755); err != nil {
			return nil, fmt.Errorf("warm cache: %w", err)
		}
		if err := os.Chown(d, b.uid(), b.gid()); err != nil {
			return nil, fmt.Errorf("warm cache: %w", err)
		}
	}
	return l, nil
}

// mountInPrivateNS moves the calling locked thread into a new mount namespace and mounts
// the overlay there; the process the thread starts next inherits both. leave brings the
// thread back to the worker's mount namespace. (A thread that has unshared its file
// system attributes is not given back to the Go scheduler: callers keep it locked.)
func (l *goCacheLayers) mountInPrivateNS() (leave func(), err error) {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return nil, fmt.Errorf("warm cache: new mount namespace: %w", err)
	}
	leave = func() {
		if originalMntNS >= 0 {
			unix.Setns(originalMntNS, unix.CLONE_NEWNS)
		}
	}
	// Private, so the overlay never propagates to the host's mount table.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		leave()
		return nil, fmt.Errorf("warm cache: make mounts private: %w", err)
	}
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", l.lower, l.upper, l.work)
	if err := unix.Mount("overlay", l.merged, "overlay", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		leave()
		return nil, fmt.Errorf("warm cache: mount overlay: %w", err)
	}
	return leave, nil
}

// originalMntNS is the worker's mount namespace, taken while the package is initialised.
var originalMntNS = ownNamespace("mnt")

// hasGoBuildCache reports whether dir holds a warm build cache.
func hasGoBuildCache(dir string) bool {
	if dir == "" {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, WarmGoBuildDir))
	return err == nil && fi.IsDir()
}

// goCacheUsage is what the box's builds added to the build cache: it counts against the
// box's disk limit like the checkout.
func (b *Box) goCacheUsage() int64 {
	if b.goCache == nil {
		return 0
	}
	return diskUsage(b.goCache.upper)
}
