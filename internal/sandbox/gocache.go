package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
//     layer is the box's own, mounted at /gocache (GOCACHE) for each phase, by the
//     box's uid in namespaces made for the phase (mountThen): it goes away with the
//     phase's processes, so a worker that dies leaves no mount behind.
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
// point bubblewrap binds at /gocache. The upper and work directories belong to the
// box's uid, which mounts the overlay.
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
	for _, d := range []string{base, l.merged} { // the upper layer is made below
		if err := os.Mkdir(d, 0o711); err != nil {
			return nil, fmt.Errorf("warm cache: %w", err)
		}
	}
	ents, err := os.ReadDir(lower)
	if err != nil {
		return nil, fmt.Errorf("warm cache: %w", err)
	}
	dirs := []string{l.work, l.upper}
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

// overlayScript mounts the overlay (options "$1", mount point "$2") and becomes the
// rest of its arguments. What mount says when it fails, and a line that it failed, go to
// descriptor 5, which the worker reads until it closes: empty means mounted.
const overlayScript = `mount -n -t overlay overlay -o "$1" "$2" 2>&5 || { echo "mount exited with status $?" >&5; exit 125; }; exec 5>&-; shift 2; exec "$@"`

// overlayFD is the descriptor overlayScript reports a failed mount on.
const overlayFD = 5

// mountThen returns the command line that mounts the overlay and then runs next. It runs
// as the box's uid: unshare makes a user namespace where that uid is root, and a mount
// namespace it owns (private, so the overlay never reaches the host's mount table, and
// it goes away with the phase's processes). Overlayfs writes the upper layer (copy-up,
// whiteouts) with the credentials of whoever mounted it: here the box's uid, whose
// capabilities reach only its own files, never root. A warm entry the box renames or
// links cannot be copied up (its owner, root, has no name in the namespace) and fails.
// (The parent-death signal survives: the host uid is the same in the namespace.)
func (l *goCacheLayers) mountThen(h *hostSetup, next []string) []string {
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s,userxattr", l.lower, l.upper, l.work)
	return append([]string{h.unshare, "--user", "--map-root-user", "--mount", "--propagation", "private", "--",
		"/bin/sh", "-c", overlayScript, "overlay", opts, l.merged}, next...)
}

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
