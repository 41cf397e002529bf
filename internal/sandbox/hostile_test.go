package sandbox

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Each hostile test ends with the precise verdict and then checks that the box still
// runs the next command normally; newBox's cleanup checks that nothing is left behind.

func expectVerdict(t *testing.T, r *Result, cause Cause, message string) {
	t.Helper()
	if r.Cause != cause || r.Message != message {
		t.Fatalf("verdict %q %q, want %q %q\noutput: %s", r.Cause, r.Message, cause, message, tail(r.Output, 2000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// expectNormal runs a well-behaved command in the box after a hostile one.
func expectNormal(t *testing.T, b *Box) {
	t.Helper()
	r := run(t, b, Spec{Phase: "release", Command: "echo still-fine"})
	if !r.OK() || r.Output != "still-fine\n" {
		t.Fatalf("next command: %+v", r)
	}
}

func TestForkBomb(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "forkbomb")
	start := time.Now()
	r := run(t, b, Spec{Phase: "build", Command: `bomb() { bomb | bomb & }; bomb; sleep 60`,
		Limits: Limits{Pids: 64, Wall: 30 * time.Second}})
	expectVerdict(t, r, CausePids, "build started too many processes (limit 64)")
	if time.Since(start) > 10*time.Second {
		t.Errorf("fork bomb took %s to stop", time.Since(start))
	}
	expectNormal(t, b)
}

func TestMemoryHog(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "memhog")
	r := run(t, b, Spec{Phase: "release", Command: `python3 -c 'x = bytearray(512 << 20); print("survived")'`,
		Limits: Limits{Memory: 64 << 20}})
	expectVerdict(t, r, CauseOOM, "release ran out of memory (64 MiB)")
	if strings.Contains(r.Output, "survived") {
		t.Fatal("the hog allocated past the limit")
	}
	expectNormal(t, b)
}

func TestOutputFlood(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "flood")
	r := run(t, b, Spec{Phase: "build", Command: `head -c 50000000 /dev/zero | tr '\0' x; echo; echo LAST`,
		Limits: Limits{Output: 4096}})
	expectVerdict(t, r, CauseExited, "build succeeded; output cut to the last 4 KiB")
	if !r.OutputCut || len(r.Output) > 4096 || !strings.HasPrefix(r.Output, "[output cut") || !strings.HasSuffix(r.Output, "LAST\n") {
		t.Fatalf("cut %v, %d bytes, ends %q", r.OutputCut, len(r.Output), tail(r.Output, 20))
	}
	expectNormal(t, b)
}

func TestWallClock(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "wall")
	r := run(t, b, Spec{Phase: "release", Command: `setsid sleep 100 & sleep 100`, Limits: Limits{Wall: time.Second}})
	expectVerdict(t, r, CauseTimeout, "release exceeded 1 second")
	expectNormal(t, b)
}

func TestDiskLimit(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "disk")
	// Many files, each under the per-file cap: the periodic measurement ends it.
	r := run(t, b, Spec{Phase: "build", Command: `for i in 1 2 3 4 5 6 7 8; do head -c 10000000 /dev/zero > f$i; done; sleep 30`,
		Limits: Limits{Disk: 50 << 20, Wall: 20 * time.Second}})
	expectVerdict(t, r, CauseDisk, "build used too much disk space (50 MiB)")
	// One file past the limit: RLIMIT_FSIZE stops it at once.
	r = run(t, b, Spec{Phase: "build", Command: `rm -f f*; head -c 60000000 /dev/zero > big`, Limits: Limits{Disk: 50 << 20}})
	expectVerdict(t, r, CauseDisk, "build used too much disk space (50 MiB)")
	// /tmp is a tmpfs capped by the kernel.
	r = run(t, b, Spec{Phase: "build", Command: `rm -f big; head -c 12000000 /dev/zero > /tmp/a && head -c 12000000 /dev/zero > /tmp/b`,
		Limits: Limits{Disk: 20 << 20}})
	if r.OK() || !strings.Contains(r.Output, "No space left on device") {
		t.Fatalf("/tmp fill: %+v", r)
	}
	expectNormal(t, b)
}

func TestNoWorkerEnvironment(t *testing.T) {
	t.Setenv("ASSAY_CANARY_SECRET", "canary-7f3a")
	m := newManager(t)
	b := newBox(t, m, "environ")
	r := run(t, b, Spec{Phase: "web", Command: `env; for f in /proc/[0-9]*/environ; do tr '\0' '\n' < $f; done; echo done`,
		Env: map[string]string{"PORT": "8080"}})
	if !r.OK() || !strings.Contains(r.Output, "PORT=8080") || !strings.HasSuffix(r.Output, "done\n") {
		t.Fatalf("%+v", r)
	}
	if strings.Contains(r.Output, "canary-7f3a") {
		t.Fatalf("the worker's environment is visible inside the box:\n%s", r.Output)
	}
	expectNormal(t, b)
}

func TestSystemIsReadOnly(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "readonly")
	targets := []string{"/usr/assay-probe", "/usr/local/go/assay-probe", "/etc/assay-probe", "/root/assay-probe", "/assay-probe", "/etc/passwd"}
	var script strings.Builder
	for _, p := range targets {
		fmt.Fprintf(&script, "if echo x >> %s; then echo WROTE %s; fi\n", p, p)
	}
	script.WriteString("mkdir /root 2>/dev/null && echo WROTE /root\necho checked\n")
	r := run(t, b, Spec{Phase: "build", Command: script.String()})
	if !r.OK() || strings.Contains(r.Output, "WROTE") || !strings.HasSuffix(r.Output, "checked\n") {
		t.Fatalf("%+v", r)
	}
	for _, p := range targets[:5] {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s exists on the host", p)
		}
	}
	expectNormal(t, b)
}

// TestNetworkIsolation: neither a build (with its egress proxy) nor a service reaches
// the worker's loopback (PostgreSQL, Redis, a platform HTTP port), the host's own
// addresses, or a registry directly. curl runs inside the box.
func TestNetworkIsolation(t *testing.T) {
	platform, err := net.Listen("tcp", "0.0.0.0:0") // a platform HTTP port on the host
	if err != nil {
		t.Fatal(err)
	}
	defer platform.Close()
	go func() {
		for {
			c, err := platform.Accept()
			if err != nil {
				return
			}
			t.Errorf("a box connected to the platform port from %s", c.RemoteAddr())
			c.Close()
		}
	}()
	port := platform.Addr().(*net.TCPAddr).Port
	targets := []string{"127.0.0.1:5432", "127.0.0.1:6379", fmt.Sprintf("127.0.0.1:%d", port),
		"169.254.169.254:80", "104.16.0.35:443"} // the last: a registry's address, bypassing the proxy
	for _, a := range hostAddrs() {
		if !a.IsLoopback() && a.Is4() {
			targets = append(targets, fmt.Sprintf("%s:%d", a, port))
		}
	}
	var script strings.Builder
	for _, a := range targets {
		// --noproxy: a direct connection, as a hostile program would try.
		fmt.Fprintf(&script, "if curl -s --noproxy '*' --connect-timeout 2 -o /dev/null telnet://%s </dev/null; then echo REACHED %s; fi\n", a, a)
	}
	script.WriteString("curl -s --noproxy '*' --connect-timeout 2 https://registry.npmjs.org/ >/dev/null || echo direct-registry-failed\necho checked\n")
	m := newManager(t)
	b := newBox(t, m, "netiso")
	for _, s := range []Spec{
		{Phase: "build", Command: script.String(), Egress: true},
		{Phase: "web", Command: script.String()},
	} {
		r := run(t, b, s)
		if !r.OK() || strings.Contains(r.Output, "REACHED") || !strings.Contains(r.Output, "direct-registry-failed\nchecked\n") {
			t.Fatalf("%s: %+v", s.Phase, r)
		}
	}
	expectNormal(t, b)
}

// TestNeverListens: a service that never listens is stopped by the grader; nothing
// listens in the box, and Stop names the cause.
func TestNeverListens(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "nolisten")
	p, err := b.Start(context.Background(), Spec{Phase: "web", Command: "sleep 1000", Env: map[string]string{"PORT": "8080"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if c, err := b.DialContext(ctx, "tcp", "127.0.0.1:8080"); err == nil {
		c.Close()
		t.Fatal("something answers on $PORT")
	}
	ports, err := b.ListeningPorts()
	if err != nil || len(ports) != 0 {
		t.Fatalf("listening ports %v, %v", ports, err)
	}
	expectVerdict(t, p.Stop(), CauseCanceled, "web was stopped")
	expectNormal(t, b)
}

// TestWellBehavedService: a Go HTTP server compiled by the test starts, answers through
// DialContext, reaches a listener the grader opened inside the box (the database
// forward) and is reported by ListeningPorts.
func TestWellBehavedService(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "service")
	buildServer(t, filepath.Join(b.Dir(), "server"))
	db, err := b.Listen("127.0.0.1:5432")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := db.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("db-here"))
			c.Close()
		}
	}()
	p, err := b.Start(context.Background(), Spec{Phase: "web", Command: "exec ./server", Env: map[string]string{"PORT": "8080"}})
	if err != nil {
		t.Fatal(err)
	}
	body := httpGet(t, b, "127.0.0.1:8080", "/db")
	if body != "db says db-here" {
		t.Fatalf("body %q", body)
	}
	ports, err := b.ListeningPorts()
	if err != nil || len(ports) != 1 || ports[0] != 8080 {
		t.Fatalf("listening ports %v, %v", ports, err)
	}
	r := p.Stop()
	expectVerdict(t, r, CauseCanceled, "web was stopped")
	if !strings.Contains(r.Output, "listening on 8080") {
		t.Fatalf("output %q", r.Output)
	}
}

// TestSymlinksOutOfCheckout: a symlink in the checkout to a host file neither reaches it
// from inside (the host path is not in the box) nor makes the platform's ownership
// handover chown the target.
func TestSymlinksOutOfCheckout(t *testing.T) {
	secretDir := t.TempDir()
	secret := filepath.Join(secretDir, "secret")
	if err := os.WriteFile(secret, []byte("host-secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(secretDir, 0o755)
	m := newManager(t)
	b := newBox(t, m, "symlinks")
	if err := os.Symlink(secret, filepath.Join(b.Dir(), "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(b.Dir(), "etc-link")); err != nil {
		t.Fatal(err)
	}
	r := run(t, b, Spec{Phase: "build", Command: `cat link 2>/dev/null && echo READ; { echo x > link; } 2>/dev/null && echo WROTE; touch etc-link/assay-probe 2>/dev/null && echo WROTE-ETC; echo checked`})
	if !r.OK() || r.Output != "checked\n" {
		t.Fatalf("%+v", r)
	}
	fi, err := os.Stat(secret)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 0 {
		t.Fatalf("the host file now belongs to uid %d", st.Uid)
	}
	if data, _ := os.ReadFile(secret); string(data) != "host-secret" {
		t.Fatalf("host file changed: %q", data)
	}
}

// TestListeningPortsSkipsPlatform: the grader's listeners and the build's egress proxy
// are not reported as the candidate's.
func TestListeningPortsSkipsPlatform(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "ports")
	l, err := b.Listen("127.0.0.1:5432")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p, err := b.Start(context.Background(), Spec{Phase: "build", Egress: true, Command: "sleep 100"})
	if err != nil {
		t.Fatal(err)
	}
	ports, err := b.ListeningPorts()
	if err != nil || len(ports) != 0 {
		t.Fatalf("listening ports %v, %v", ports, err)
	}
	expectVerdict(t, p.Stop(), CauseCanceled, "build was stopped")
}
