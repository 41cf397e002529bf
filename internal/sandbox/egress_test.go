package sandbox

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// stubResolver answers from a table and fails the test for names it does not know (the
// proxy must not resolve names it refuses).
type stubResolver struct {
	t     *testing.T
	table map[string]string
}

func (r stubResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	ip, ok := r.table[host]
	if !ok {
		r.t.Errorf("the proxy resolved %q", host)
		return nil, fmt.Errorf("no such host %s", host)
	}
	return []net.IPAddr{{IP: net.ParseIP(ip)}}, nil
}

// connectScript makes one CONNECT through the box's proxy per target with Python and
// prints the proxy's status line, then (for tunnels that open) exchanges "ping"/"pong".
const connectScript = `
import os, socket, sys
host, port = os.environ["HTTPS_PROXY"].rsplit("/", 1)[1].split(":")
for target in sys.argv[1:]:
    s = socket.create_connection((host, int(port)))
    s.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (target, target)).encode())
    status = s.recv(4096).decode().split("\r\n")[0]
    print(target, "->", status)
    if " 200 " in status:
        s.sendall(b"ping")
        print(target, "answer", s.recv(4).decode())
    s.close()
`

// registryIP stands for pypi.org's public address; the test dialer sends it to a stand-in
// on loopback, so nothing leaves the machine.
const registryIP = "151.101.0.223"

func TestEgressRefusals(t *testing.T) {
	// Only the registry that resolves to a public address may be dialled, and that dial
	// goes to a stand-in on loopback; any other dial fails the test. The other allowed
	// registries answer (poisoned DNS) with addresses netpolicy refuses.
	registry, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer registry.Close()
	go func() {
		for {
			c, err := registry.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4)
			if _, err := c.Read(buf); err == nil && string(buf) == "ping" {
				c.Write([]byte("pong"))
			}
			c.Close()
		}
	}()
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr != registryIP+":443" {
			t.Errorf("the proxy dialled %s", addr)
			return nil, fmt.Errorf("test forbids dialling %s", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, "tcp", registry.Addr().String())
	}
	resolver := stubResolver{t: t, table: map[string]string{
		"pypi.org":               registryIP,
		"registry.npmjs.org":     "169.254.169.254", // poisoned: metadata address
		"proxy.golang.org":       "10.1.2.3",        // poisoned: private address
		"sum.golang.org":         "::ffff:127.0.0.1",
		"files.pythonhosted.org": "64:ff9b::7f00:1", // NAT64 form of 127.0.0.1
		"registry.yarnpkg.com":   "100.64.0.1",      // carrier-grade NAT
	}}
	hosts := append(slices.Clone(DefaultEgressHosts), "registry.yarnpkg.com")
	m, err := New(Config{StateDir: stateDir(t), EgressHosts: hosts, Resolver: resolver, Dial: dial})
	if err != nil {
		if os.Geteuid() != 0 {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	b := newBox(t, m, "egress")
	targets := []string{"pypi.org:443", "evil.example:443", "169.254.169.254:443", "registry.npmjs.org:443",
		"proxy.golang.org:443", "sum.golang.org:443", "files.pythonhosted.org:443", "registry.yarnpkg.com:443",
		"pypi.org:80", "PyPI.org.:443"}
	r := run(t, b, Spec{Phase: "build", Egress: true, Command: `python3 -c "$SCRIPT" ` + strings.Join(targets, " "),
		Env: map[string]string{"SCRIPT": connectScript}})
	for _, want := range []string{
		"pypi.org:443 -> HTTP/1.1 200 Connection established\npypi.org:443 answer pong\n",
		"evil.example:443 -> HTTP/1.1 403 Forbidden\n",
		"169.254.169.254:443 -> HTTP/1.1 403 Forbidden\n",
		"registry.npmjs.org:443 -> HTTP/1.1 502 Bad Gateway\n",
		"proxy.golang.org:443 -> HTTP/1.1 502 Bad Gateway\n",
		"sum.golang.org:443 -> HTTP/1.1 502 Bad Gateway\n",
		"files.pythonhosted.org:443 -> HTTP/1.1 502 Bad Gateway\n",
		"registry.yarnpkg.com:443 -> HTTP/1.1 502 Bad Gateway\n",
		"pypi.org:80 -> HTTP/1.1 403 Forbidden\n",
		"PyPI.org.:443 answer pong\n",
	} {
		if !strings.Contains(r.Output, want) {
			t.Errorf("output lacks %q:\n%s", want, r.Output)
		}
	}
	wantTunnels := []Tunnel{
		{Host: "pypi.org", Port: 443, Addr: registryIP + ":443", BytesIn: 4, BytesOut: 4},
		{Host: "evil.example", Port: 443, Refused: "evil.example is not an allowed package registry"},
		{Host: "169.254.169.254", Port: 443, Refused: "169.254.169.254 is not an allowed package registry"},
		{Host: "registry.npmjs.org", Port: 443, Refused: "registry.npmjs.org resolves to 169.254.169.254, a link-local address (cloud metadata lives here)"},
		{Host: "proxy.golang.org", Port: 443, Refused: "proxy.golang.org resolves to 10.1.2.3, a private address"},
		{Host: "sum.golang.org", Port: 443, Refused: "sum.golang.org resolves to 127.0.0.1, a loopback address"},
		{Host: "files.pythonhosted.org", Port: 443, Refused: "files.pythonhosted.org resolves to 64:ff9b::7f00:1, a NAT64 address embedding 127.0.0.1, a loopback address"},
		{Host: "registry.yarnpkg.com", Port: 443, Refused: "registry.yarnpkg.com resolves to 100.64.0.1, a carrier-grade NAT (shared) address"},
		{Host: "pypi.org", Port: 80, Refused: "port 80 is not allowed (registries are reached on 443)"},
		{Host: "PyPI.org.", Port: 443, Addr: registryIP + ":443", BytesIn: 4, BytesOut: 4},
	}
	if fmt.Sprint(r.Egress) != fmt.Sprint(wantTunnels) {
		t.Errorf("tunnels:\n%+v\nwant\n%+v", r.Egress, wantTunnels)
	}
	wantFault := "registry.npmjs.org unreachable: registry.npmjs.org resolves to 169.254.169.254, a link-local address (cloud metadata lives here)"
	if r.PlatformFault != wantFault || r.OK() {
		t.Errorf("platform fault %q (OK %v), want %q", r.PlatformFault, r.OK(), wantFault)
	}
	expectNormal(t, b)
}

// hostAddrs lists the addresses of the host's interfaces (targets a box must not reach).
func hostAddrs() []netip.Addr {
	ifaddrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, a := range ifaddrs {
		if pfx, err := netip.ParsePrefix(a.String()); err == nil {
			out = append(out, pfx.Addr().Unmap())
		}
	}
	return out
}

// TestEgressRealRegistry fetches one small npm package through the proxy.
func TestEgressRealRegistry(t *testing.T) {
	if testing.Short() {
		t.Skip("reaches registry.npmjs.org")
	}
	m := newManager(t)
	b := newBox(t, m, "npm")
	if err := os.WriteFile(b.Dir()+"/package.json", []byte(`{"name":"t","version":"1.0.0","dependencies":{"is-number":"7.0.0"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, b, Spec{Phase: "build", Egress: true, Command: "npm install --no-audit --no-fund --loglevel=error && cat node_modules/is-number/package.json | grep '\"version\"'",
		Limits: Limits{Wall: 2 * time.Minute}})
	if !r.OK() || !strings.Contains(r.Output, `"version": "7.0.0"`) {
		t.Fatalf("%+v", r)
	}
	var in int64
	for _, tun := range r.Egress {
		if tun.Host != "registry.npmjs.org" || tun.Refused != "" || tun.Error != "" {
			t.Errorf("unexpected tunnel %+v", tun)
		}
		in += tun.BytesIn
	}
	if in == 0 {
		t.Errorf("no bytes came through the proxy: %+v", r.Egress)
	}
}
