package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// CleanupLeftovers removes what boxes of dead workers left behind: their processes,
// cgroups, network namespaces and workspaces. A box is dead when no process holds the
// lock in its workspace, so boxes of live workers sharing the host are left alone.
func (m *Manager) CleanupLeftovers(ctx context.Context) error {
	var errs []error
	ents, err := os.ReadDir(m.root)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("sandbox: cleanup: %w", err)
	}
	for _, e := range ents {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !e.IsDir() || !boxName.MatchString(e.Name()) {
			continue
		}
		work := filepath.Join(m.root, e.Name())
		lock, held := tryLock(filepath.Join(work, "lock"))
		if !held {
			continue // a live box
		}
		m.log.Info("removing leftovers of a dead box", "box", e.Name())
		if err := m.removeBoxLeftovers(e.Name()); err != nil {
			errs = append(errs, err)
		}
		if err := removeWorkspace(work); err != nil {
			errs = append(errs, err)
		}
		if lock != nil {
			lock.Close()
		}
	}
	// Namespaces and cgroups whose workspace is gone: a worker died between creating one
	// and removing the other.
	if m.host != nil {
		for _, name := range m.orphans() {
			if _, err := os.Stat(filepath.Join(m.root, name)); err == nil {
				continue
			}
			if err := m.removeBoxLeftovers(name); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sandbox: cleanup: %w", err)
	}
	return nil
}

// tryLock takes a box's lock when no live process holds it. A missing lock file means the
// box died while being created.
func tryLock(path string) (*os.File, bool) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, os.IsNotExist(err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return f, true
}

// removeBoxLeftovers kills and removes the cgroups and the network namespace of a box.
func (m *Manager) removeBoxLeftovers(name string) error {
	if m.host == nil {
		return nil
	}
	var errs []error
	for _, cg := range m.host.cg.list(Prefix + name + ".") {
		if err := m.host.cg.destroy(cg); err != nil {
			errs = append(errs, err)
		}
	}
	if err := removeNetNS(filepath.Join(netnsDir, Prefix+name)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// orphans lists the box names that have a network namespace or a cgroup on the host.
func (m *Manager) orphans() []string {
	seen := map[string]bool{}
	if ents, err := os.ReadDir(netnsDir); err == nil {
		for _, e := range ents {
			if n, ok := strings.CutPrefix(e.Name(), Prefix); ok && boxName.MatchString(n) {
				seen[n] = true
			}
		}
	}
	for _, cg := range m.host.cg.list(Prefix) {
		n := strings.TrimPrefix(cg, Prefix)
		if i := strings.LastIndexByte(n, '.'); i > 0 && boxName.MatchString(n[:i]) {
			seen[n[:i]] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	return out
}
