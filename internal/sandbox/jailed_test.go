package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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
	// Native Node modules build from source against the host's headers, when it has them.
	if native := nativeNodeEnv("build"); native != nil {
		want += "npm_config_build_from_source=true npm_config_nodedir=" + native["npm_config_nodedir"] + " "
	}
	if !r.OK() || r.Output != want {
		t.Fatalf("got %q\nwant %q", r.Output, want)
	}
	p, err := b.Start(context.Background(), Spec{Phase: "web", Command: "sleep 100"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	status := statusOf(t, sleeping(t, p))
	uid := fmt.Sprint(b.uid())
	if b.uid() < boxUIDBase || status["Uid"] != strings.Repeat(uid+"\t", 3)+uid || status["CapEff"] != "0000000000000000" {
		t.Errorf("sandboxed process: Uid %s, CapEff %s", status["Uid"], status["CapEff"])
	}
}

// sleeping returns the host pid of the phase's sleep command, once it runs.
func sleeping(t *testing.T, p *Process) int {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, pid := range p.pids() {
			if s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil && strings.Contains(string(s), "Name:\tsleep") {
				return pid
			}
		}
	}
	t.Fatal("sleep never appeared in the phase's cgroup")
	return 0
}

// statusOf reads /proc/<pid>/status into a map.
func statusOf(t *testing.T, pid int) map[string]string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// TestBoxesRunAsDifferentUIDs: two boxes at once run as different host uids, so a process
// of one cannot signal a process of the other even when it knows its pid (namespaces
// hide it; the uid is the wall behind them). Closing a box frees its uid.
func TestBoxesRunAsDifferentUIDs(t *testing.T) {
	// The host's lock directory, as every box: with one of its own, other test
	// binaries' cleanups would take these boxes for dead ones and remove them.
	m := newManager(t)
	a, b := newBox(t, m, "uid-a"), newBox(t, m, "uid-b")
	var pids [2]int
	for i, box := range []*Box{a, b} {
		p, err := box.Start(context.Background(), Spec{Phase: "web", Command: "sleep 100"})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		pids[i] = sleeping(t, p)
	}
	uidA, uidB := statusOf(t, pids[0])["Uid"], statusOf(t, pids[1])["Uid"]
	if uidA == uidB {
		t.Fatalf("both boxes run as uid %s", uidA)
	}
	// kill(2) from box a's uid and gid, without capabilities, at box b's sleep.
	kill := exec.Command("/bin/kill", "-0", fmt.Sprint(pids[1]))
	kill.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(a.uid()), Gid: uint32(a.gid()), Groups: []uint32{}}}
	if out, err := kill.CombinedOutput(); err == nil || !strings.Contains(string(out), "not permitted") {
		t.Fatalf("box a's uid signalled box b's process: %v %s", err, out)
	}
	// Closing a box gives its uid back; b keeps its own.
	claimA, claimB := m.uidClaimPath(fmt.Sprint(a.uid())), m.uidClaimPath(fmt.Sprint(b.uid()))
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if lock, dead := lockIfDead(claimA); !dead {
		t.Errorf("box a's uid claim %s is still held after Close", claimA)
	} else {
		releaseLock(lock, claimA)
	}
	if _, dead := lockIfDead(claimB); dead {
		t.Errorf("box b's uid claim %s is not held while b lives", claimB)
	}
}
