package sandbox

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestProbeHelper is run by TestNewSaysWhatIsMissing as an unprivileged user.
func TestProbeHelper(t *testing.T) {
	dir := os.Getenv("ASSAY_SANDBOX_PROBE_HELPER")
	if dir == "" {
		t.Skip("helper process only")
	}
	_, err := New(Config{StateDir: dir})
	os.Stdout.WriteString("error: " + err.Error() + "\n")
	if _, err := New(Config{Mode: ModeUnsafeLocal, StateDir: dir}); err != nil {
		os.Stdout.WriteString("unsafe-local failed: " + err.Error() + "\n")
	}
}

// TestNewSaysWhatIsMissing: a worker that is not root gets an error naming that, and
// unsafe-local still works.
func TestNewSaysWhatIsMissing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to an unprivileged user")
	}
	dir := stateDir(t)
	os.Chmod(dir, 0o777)
	bin := filepath.Join(dir, "sandbox.test")
	copyFile(t, os.Args[0], bin)
	cmd := exec.Command(bin, "-test.run=^TestProbeHelper$", "-test.v")
	cmd.Env = []string{"ASSAY_SANDBOX_PROBE_HELPER=" + filepath.Join(dir, "state"), "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: probeUID, Gid: probeUID, Groups: []uint32{}}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := "error: sandbox: this host cannot sandbox (set ASSAY_SANDBOX=unsafe-local to run without one): missing: root (the worker creates network namespaces and cgroups)\n"
	if !strings.Contains(string(out), want) || strings.Contains(string(out), "unsafe-local failed") {
		t.Fatalf("got:\n%s\nwant a line %q", out, want)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
