package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// hostLockDir holds one lock file per live box in bwrap mode. Box names are host-wide
// (network namespaces and cgroups are), so liveness is too: a box is alive while some
// process holds its lock, whichever StateDir that process uses, and CleanupLeftovers
// of one worker never takes the boxes of another.
const hostLockDir = "/run/assay-sandbox"

func (m *Manager) lockPath(name string) string {
	return filepath.Join(m.lockDir, name+".lock")
}

// acquireLock creates and locks a box's lock file; it fails when a live box holds it.
func acquireLock(path string) (*os.File, error) {
	for attempt := 0; attempt < 3; attempt++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return nil, fmt.Errorf("lock file: %w", err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, errors.New("a live box has this name")
			}
			return nil, fmt.Errorf("lock: %w", err)
		}
		if sameFile(f, path) {
			return f, nil
		}
		f.Close() // removed by a cleanup between our open and our lock: start over
	}
	return nil, errors.New("lock file keeps being replaced")
}

// lockIfDead takes the lock of a box no live process holds. A missing lock file means
// the box died before or after holding one.
func lockIfDead(path string) (*os.File, bool) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, os.IsNotExist(err)
	}
	if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil || !sameFile(f, path) {
		f.Close()
		return nil, false
	}
	return f, true
}

// releaseLock removes the lock file while still holding it, then lets go.
func releaseLock(f *os.File, path string) {
	if f == nil {
		return
	}
	os.Remove(path)
	f.Close()
}

func sameFile(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}
