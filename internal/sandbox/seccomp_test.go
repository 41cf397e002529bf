package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/sys/unix"
)

// syscallProbeSource makes each system call it is given ("name=number:arg0") with the
// first argument set and the others zero, and prints "name errno" (0 for success).
// Zero arguments make every call harmless: without the filter most fail on their
// arguments (EINVAL, EFAULT, EBADF), a few succeed; none returns the filter's answer by
// chance where the test expects it.
const syscallProbeSource = `package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	for _, a := range os.Args[1:] {
		name, rest, _ := strings.Cut(a, "=")
		nr, arg0, _ := strings.Cut(rest, ":")
		n, _ := strconv.ParseUint(nr, 10, 64)
		x, _ := strconv.ParseUint(arg0, 0, 64)
		_, _, errno := syscall.RawSyscall6(uintptr(n), uintptr(x), 0, 0, 0, 0, 0)
		fmt.Printf("%s %d\n", name, int(errno))
	}
}
`

// buildSyscallProbe compiles the probe, statically, into the box's checkout.
func buildSyscallProbe(t *testing.T, b *Box) {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(syscallProbeSource), 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module probe\n\ngo 1.22\n"), 0o644)
	cmd := exec.Command("go", "build", "-o", filepath.Join(b.Dir(), "probe"), ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build probe: %v: %s", err, out)
	}
}

// TestSeccompDeniesKernelInterfaces: every call of the deny list fails with EPERM inside
// a box (io_uring and clone3 with ENOSYS), including clone into a new namespace and
// personality with an unsafe flag, while the calls a normal program makes still work.
func TestSeccompDeniesKernelInterfaces(t *testing.T) {
	native, err := arch.GetInfo("")
	if err != nil {
		t.Fatal(err)
	}
	m := newManager(t)
	b := newBox(t, m, "seccomp")
	buildSyscallProbe(t, b)

	want := map[string]int{}
	var args []string
	call := func(name string, arg0 uint64, errno int) {
		nr, ok := native.SyscallNames[name]
		if !ok {
			return // not a call on this architecture
		}
		key := fmt.Sprintf("%s/%#x", name, arg0)
		want[key] = errno
		args = append(args, fmt.Sprintf("%s=%d:%d", key, nr, arg0))
	}
	for _, name := range deniedSyscalls {
		call(name, 0, int(unix.EPERM))
	}
	for _, name := range unavailableSyscalls {
		call(name, 0, int(unix.ENOSYS))
	}
	call("clone", unix.CLONE_NEWUSER, int(unix.EPERM))
	call("personality", 0x0040000, int(unix.EPERM)) // ADDR_NO_RANDOMIZE
	call("personality", 0xffffffff, 0)
	call("getpid", 0, 0)
	if len(args) < 50 {
		t.Fatalf("only %d calls to try: %v", len(args), args)
	}

	r := run(t, b, Spec{Phase: "build", Command: "./probe " + strings.Join(args, " ")})
	if !r.OK() {
		t.Fatalf("%+v", r)
	}
	got := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(r.Output), "\n") {
		var name string
		var errno int
		if _, err := fmt.Sscan(line, &name, &errno); err != nil {
			t.Fatalf("probe said %q: %v", line, err)
		}
		got[name] = errno
	}
	for key, errno := range want {
		if g, ok := got[key]; !ok || g != errno {
			t.Errorf("%s: errno %d, want %d", key, g, errno)
		}
	}

	// Runtimes that probe for io_uring or clone3 take their fallbacks.
	r = run(t, b, Spec{Phase: "release", Command: `node -e 'require("fs").writeFileSync("n", "node-ok"); require("child_process").execSync("true"); console.log(require("fs").readFileSync("n", "utf8"))' && ` +
		`python3 -c 'import threading, subprocess; t = threading.Thread(target=lambda: subprocess.run(["true"])); t.start(); t.join(); print("python-ok")'`})
	if !r.OK() || r.Output != "node-ok\npython-ok\n" {
		t.Fatalf("%+v", r)
	}
	expectNormal(t, b)
}

// TestSeccompRefusesOtherArchitectures: system calls of another architecture's table
// (32-bit calls from a 64-bit kernel's compat layer, numbered differently and so out of
// the deny list's reach) are all refused: a 32-bit program that runs on the host cannot
// run in a box.
func TestSeccompRefusesOtherArchitectures(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		// The 32-bit twin of another architecture would need its own probe.
		t.Skip("probes x86-64's 32-bit (386) calls; this host is " + runtime.GOARCH)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"32-bit-ran\") }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module probe\n\ngo 1.22\n"), 0o644)
	build := exec.Command("go", "build", "-o", "probe32", ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOARCH=386")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v: %s", err, out)
	}
	if out, err := exec.Command(filepath.Join(dir, "probe32")).Output(); err != nil || string(out) != "32-bit-ran\n" {
		// A kernel without 32-bit emulation has no 32-bit calls to refuse.
		t.Skipf("this kernel runs no 32-bit programs, so there are no 32-bit calls to refuse (%v %q)", err, out)
	}
	m := newManager(t)
	b := newBox(t, m, "seccomp-32")
	copyFile(t, filepath.Join(dir, "probe32"), filepath.Join(b.Dir(), "probe32"))
	r := run(t, b, Spec{Phase: "build", Command: "./probe32"})
	if r.OK() || strings.Contains(r.Output, "32-bit-ran") {
		t.Fatalf("a 32-bit program ran in the box: %+v", r)
	}
	expectNormal(t, b)
}

// TestSeccompListsRealCalls: the filter skips names the host's architecture lacks, so a
// misspelt name would deny nothing anywhere; every name must be a call somewhere.
func TestSeccompListsRealCalls(t *testing.T) {
	for _, name := range append(append([]string{}, deniedSyscalls...), unavailableSyscalls...) {
		found := false
		for _, a := range []*arch.Info{arch.X86_64, arch.I386, arch.AARCH64, arch.ARM} {
			_, ok := a.SyscallNames[name]
			found = found || ok
		}
		if !found {
			t.Errorf("%s is a system call on no architecture", name)
		}
	}
}
