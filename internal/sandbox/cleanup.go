package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CleanupLeftovers removes what boxes of dead workers left behind: their processes,
// cgroups, network namespaces, workspaces and uid claims. A box is dead when no process holds its
// lock, so boxes of live workers sharing the host are left alone.
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
		lock, dead := lockIfDead(m.lockPath(e.Name()))
		if !dead {
			continue
		}
		m.log.Info("removing leftovers of a dead box", "box", e.Name())
		if err := m.removeBoxLeftovers(e.Name()); err != nil {
			errs = append(errs, err)
		}
		if err := removeWorkspace(work); err != nil {
			errs = append(errs, err)
		}
		releaseLock(lock, m.lockPath(e.Name()))
	}
	// Namespaces and cgroups of dead boxes whose workspace is elsewhere or gone.
	if m.host != nil {
		for _, name := range m.orphans() {
			lock, dead := lockIfDead(m.lockPath(name))
			if !dead {
				continue
			}
			if err := m.removeBoxLeftovers(name); err != nil {
				errs = append(errs, err)
			}
			releaseLock(lock, m.lockPath(name))
		}
		m.removeDeadUIDClaims()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sandbox: cleanup: %w", err)
	}
	return nil
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
