package sandbox

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func newLocalBox(t *testing.T) *Box {
	t.Helper()
	m, err := New(Config{Mode: ModeUnsafeLocal, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Unsafe() {
		t.Fatal("Unsafe() = false in unsafe-local mode")
	}
	b, err := m.NewBox(context.Background(), "local-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	return b
}

func TestLocalRunVerdicts(t *testing.T) {
	t.Setenv("ASSAY_CANARY", "worker-secret")
	b := newLocalBox(t)
	ctx := context.Background()
	cases := []struct {
		name    string
		spec    Spec
		cause   Cause
		code    int
		message string
		output  string
	}{
		{"ok", Spec{Phase: "build", Command: `echo "hello $NAME"; echo "canary=$ASSAY_CANARY"`, Env: map[string]string{"NAME": "box"}},
			CauseExited, 0, "build succeeded", "hello box\ncanary=\n"},
		{"status", Spec{Phase: "release", Command: "exit 3"}, CauseExited, 3, "release exited with status 3", ""},
		{"signal", Spec{Phase: "release", Command: "kill -TERM $$"}, CauseSignaled, -1, "release was killed by signal SIGTERM", ""},
		{"wall", Spec{Phase: "build", Command: "sleep 30 & sleep 30", Limits: Limits{Wall: 300 * time.Millisecond}},
			CauseTimeout, -1, "build exceeded 300ms", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := b.Run(ctx, c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if r.Cause != c.cause || r.ExitCode != c.code || r.Message != c.message {
				t.Fatalf("got cause %q code %d message %q, want %q %d %q (output %q)", r.Cause, r.ExitCode, r.Message, c.cause, c.code, c.message, r.Output)
			}
			if c.output != "" && r.Output != c.output {
				t.Fatalf("output %q, want %q", r.Output, c.output)
			}
		})
	}
}

func TestLocalOutputCut(t *testing.T) {
	b := newLocalBox(t)
	r, err := b.Run(context.Background(), Spec{Phase: "build", Command: "yes 0123456789 | head -c 200000; echo END",
		Limits: Limits{Output: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OutputCut || len(r.Output) > 1000 || !strings.HasPrefix(r.Output, "[output cut") || !strings.HasSuffix(r.Output, "END\n") {
		t.Fatalf("cut %v, %d bytes: %q", r.OutputCut, len(r.Output), r.Output)
	}
	if !r.OK() || r.Message != "build succeeded; output cut to the last 1000 bytes" {
		t.Fatalf("OK %v, message %q", r.OK(), r.Message)
	}
}

func TestLocalServiceAndListen(t *testing.T) {
	b := newLocalBox(t)
	ctx := context.Background()
	l, err := b.Listen("127.0.0.1:5432")
	if err != nil {
		t.Fatal(err)
	}
	go func() { // a stand-in for a platform endpoint the service calls
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			fmt.Fprint(c, "HTTP/1.0 200 OK\r\n\r\nfrom-endpoint")
			c.Close()
		}
	}()
	port := freePort(t)
	p, err := b.Start(ctx, Spec{Phase: "web", Command: "exec python3 -m http.server $PORT --bind 127.0.0.1",
		Env: map[string]string{"PORT": fmt.Sprint(port)}})
	if err != nil {
		t.Fatal(err)
	}
	conn := dialUntil(t, ctx, b, fmt.Sprintf("127.0.0.1:%d", port))
	fmt.Fprint(conn, "GET / HTTP/1.0\r\n\r\n")
	status, _ := bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	if !strings.Contains(status, "200") {
		t.Fatalf("status line %q", status)
	}
	ports, err := b.ListeningPorts()
	if err != nil {
		t.Fatal(err)
	}
	if len(ports) != 1 || ports[0] != port {
		t.Fatalf("listening ports %v, want [%d]", ports, port)
	}
	r := p.Stop()
	if r.Cause != CauseCanceled || r.Message != "web was stopped" {
		t.Fatalf("stop: %+v", r)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// dialUntil dials addr through the box until the service listens (10 s at most).
func dialUntil(t *testing.T, ctx context.Context, b *Box, addr string) net.Conn {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := b.DialContext(ctx, "tcp", addr)
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("service never listened on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLocalCanceled(t *testing.T) {
	b := newLocalBox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	r, err := b.Run(ctx, Spec{Phase: "release", Command: "sleep 30"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Cause != CauseCanceled || r.Message != "release was stopped" || r.Duration > 5*time.Second {
		t.Fatalf("%+v", r)
	}
}
