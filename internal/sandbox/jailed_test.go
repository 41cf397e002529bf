package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// TestIdentity: commands run as an unprivileged host uid without capabilities, in /app,
// with HOME inside the checkout and only the environment the sandbox built.
func TestIdentity(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "identity")
	r := run(t, b, Spec{Phase: "build", Command: `id -u; pwd; env | sort | tr '\n' ' '`, Env: map[string]string{"X": "1"}})
	want := "1000\n/app\nGOCACHE=/app/.home/.cache/go-build GOPATH=/app/.home/go GOTOOLCHAIN=local HOME=/app/.home " +
		"LANG=C.UTF-8 PATH=" + DefaultPath + " PWD=/app TMPDIR=/tmp X=1 "
	if !r.OK() || r.Output != want {
		t.Fatalf("got %q\nwant %q", r.Output, want)
	}
	p, err := b.Start(context.Background(), Spec{Phase: "web", Command: "sleep 100"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	deadline := time.Now().Add(5 * time.Second)
	for found := false; !found; {
		for _, pid := range p.pids() {
			status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
			if err != nil || !strings.Contains(string(status), "Name:\tsleep") {
				continue
			}
			found = true
			for _, line := range strings.Split(string(status), "\n") {
				if strings.HasPrefix(line, "Uid:") && line != "Uid:\t65534\t65534\t65534\t65534" ||
					strings.HasPrefix(line, "CapEff:") && line != "CapEff:\t0000000000000000" {
					t.Errorf("sandboxed process: %s", line)
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("sleep never appeared in the phase's cgroup")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
