package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newManager returns a bwrap-mode manager, skipping when the host cannot sandbox (not
// root, no bubblewrap...): these tests are about the real thing.
func newManager(t testing.TB) *Manager {
	t.Helper()
	m, err := New(Config{StateDir: stateDir(t)})
	if err != nil {
		if os.Geteuid() != 0 {
			t.Skipf("bwrap mode needs root: %v", err)
		}
		t.Fatal(err)
	}
	return m
}

// stateDir returns a temporary state directory the sandbox user can reach.
func stateDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// newBox returns a box that is closed, and checked to have left nothing behind, at the
// end of the test.
func newBox(t testing.TB, m *Manager, name string) *Box {
	t.Helper()
	b, err := m.NewBox(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
		assertGone(t, name)
	})
	return b
}

// assertGone fails when a cgroup or network namespace of the box still exists.
func assertGone(t testing.TB, name string) {
	t.Helper()
	left, _ := filepath.Glob("/sys/fs/cgroup/*/" + Prefix + name + ".*")
	if _, err := os.Stat(filepath.Join(netnsDir, Prefix+name)); err == nil {
		left = append(left, filepath.Join(netnsDir, Prefix+name))
	}
	if len(left) > 0 {
		t.Errorf("left behind: %s", strings.Join(left, " "))
	}
}

func run(t testing.TB, b *Box, s Spec) *Result {
	t.Helper()
	r, err := b.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestJailedBasics(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "basics")
	r := run(t, b, Spec{Phase: "build", Command: `id; pwd; echo "HOME=$HOME"; env | sort; ls -la /; cat /proc/1/cmdline | tr '\0' ' '; echo; touch made-here && echo wrote`})
	t.Logf("%+v\n%s", r, r.Output)
}
