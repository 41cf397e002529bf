package sandbox

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCleanupHelper is the "worker" TestCleanupLeftovers kills: it opens a box, starts a
// service and waits to die. It does nothing in a normal test run.
func TestCleanupHelper(t *testing.T) {
	dir := os.Getenv("ASSAY_SANDBOX_CLEANUP_HELPER")
	if dir == "" {
		t.Skip("helper process only")
	}
	m, err := New(Config{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.NewBox(context.Background(), "orphan")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Start(context.Background(), Spec{Phase: "web", Command: "echo started; sleep 1000"}); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("ready\n")
	select {}
}

func TestCleanupLeftovers(t *testing.T) {
	m := newManager(t)
	live := newBox(t, m, "live")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCleanupHelper$")
	cmd.Env = append(os.Environ(), "ASSAY_SANDBOX_CLEANUP_HELPER="+m.cfg.StateDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper said %q", line)
	}
	cmd.Process.Kill() // the worker dies without closing its box
	cmd.Wait()
	left := []string{filepath.Join(m.root, "orphan"), filepath.Join(netnsDir, Prefix+"orphan")}
	for _, p := range left {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("expected a leftover at %s: %v", p, err)
		}
	}
	if err := m.CleanupLeftovers(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range left {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s still exists", p)
		}
	}
	assertGone(t, "orphan")
	if procs, _ := exec.Command("pgrep", "-f", "sleep 1000").Output(); strings.TrimSpace(string(procs)) != "" {
		t.Errorf("the orphan's service still runs: pids %s", procs)
	}
	// The live box of this worker is untouched.
	expectNormal(t, live)
}

// TestCleanupRemovesDeadUIDClaims: the uid claim a dead worker's box left is removed; the
// claim of a live box stays. The claims live in a lock directory of the test's own, and
// no box is made: a cleanup with its own lock directory would take every live box of
// the host (other test binaries' included) for dead, so only the claims' sweep runs.
func TestCleanupRemovesDeadUIDClaims(t *testing.T) {
	m := newManager(t)
	m.lockDir = t.TempDir()
	live, err := m.claimUID()
	if err != nil {
		t.Fatal(err)
	}
	defer live.release()
	dead := m.uidClaimPath("100999")
	if err := os.WriteFile(dead, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	m.removeDeadUIDClaims()
	claims, _ := filepath.Glob(m.uidClaimPath("*"))
	if want := m.uidClaimPath(strconv.Itoa(live.uid)); len(claims) != 1 || claims[0] != want {
		t.Errorf("claims after cleanup: %v, want only %s", claims, want)
	}
}
