package netpolicy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// stubResolver answers from a table, one answer per call in turn (the last
// repeats): a rebinding server. It never asks DNS.
type stubResolver struct {
	mu      sync.Mutex
	answers map[string][][]string
	calls   map[string]int
}

func (r *stubResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	list, ok := r.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	i := min(r.calls[host], len(list)-1)
	r.calls[host]++
	var out []netip.Addr
	for _, s := range list[i] {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

// recordingDial records what it is asked to dial and connects nowhere.
type recordingDial struct{ dialled []string }

func (d *recordingDial) dial(_ context.Context, _, addr string) (net.Conn, error) {
	d.dialled = append(d.dialled, addr)
	c, _ := net.Pipe()
	return c, nil
}

func TestDialerDialsOnlyCheckedAddresses(t *testing.T) {
	withOwnAddrs(t)
	res := &stubResolver{calls: map[string]int{}, answers: map[string][][]string{
		"public.example":   {{"140.82.121.3"}},
		"mapped.example":   {{"::ffff:140.82.121.4"}},
		"loop.example":     {{"127.0.0.1"}},
		"mixed.example":    {{"140.82.121.3", "10.0.0.1"}},
		"rebind.example":   {{"140.82.121.3"}, {"127.0.0.1"}},
		"metadata.example": {{"169.254.169.254"}},
		"nat64.example":    {{"64:ff9b::a9fe:a9fe"}},
		"empty.example":    {{}},
	}}
	for _, c := range []struct{ addr, dialled, refusal string }{
		{"public.example:443", "140.82.121.3:443", ""},
		{"Public.Example.:443", "140.82.121.3:443", ""},
		{"mapped.example:443", "140.82.121.4:443", ""},
		{"[2606:4700::6810:23]:443", "[2606:4700::6810:23]:443", ""},
		{"loop.example:443", "", "loop.example resolves to 127.0.0.1, a loopback address"},
		{"mixed.example:443", "", "mixed.example resolves to 10.0.0.1, a private address"},
		{"metadata.example:443", "", "cloud metadata"},
		{"nat64.example:443", "", "embedding 169.254.169.254"},
		{"127.0.0.1:443", "", "loopback"},
		{"[::ffff:10.0.0.1]:443", "", "private"},
		{"localhost:443", "", "localhost is this machine"},
		{"api.localhost:443", "", "this machine"},
	} {
		rec := &recordingDial{}
		d := &Dialer{Resolver: res, Dial: rec.dial}
		conn, err := d.DialContext(context.Background(), "tcp", c.addr)
		if conn != nil {
			conn.Close()
		}
		got := strings.Join(rec.dialled, ",")
		if got != c.dialled {
			t.Errorf("%s: dialled %q, want %q", c.addr, got, c.dialled)
		}
		if c.refusal != "" && (!errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), c.refusal)) {
			t.Errorf("%s: %v, want a refusal saying %q", c.addr, err, c.refusal)
		}
		if c.refusal == "" && err != nil {
			t.Errorf("%s: %v", c.addr, err)
		}
	}
	// A rebinding name is resolved once, and its checked answer dialled.
	rec := &recordingDial{}
	d := &Dialer{Resolver: res, Dial: rec.dial}
	addrs, err := d.Resolve(context.Background(), "rebind.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.DialChecked(context.Background(), "tcp", addrs, 443); err != nil || res.calls["rebind.example"] != 1 ||
		fmt.Sprint(rec.dialled) != "[140.82.121.3:443]" {
		t.Errorf("rebinding: err %v, %d lookups, dialled %v", err, res.calls["rebind.example"], rec.dialled)
	}
	var dnsErr *net.DNSError
	if _, err := d.DialContext(context.Background(), "tcp", "empty.example:443"); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("empty answer: %v, want a not-found DNS error", err)
	}
}

// TestDefaultDialerChecksTheSocketAddress: the default dialer's Control
// refuses a refused address whatever produced it, and with AllowLoopback
// reaches a loopback listener (the only traffic these tests send).
func TestDefaultDialerChecksTheSocketAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	if err := (&Dialer{}).control("tcp4", l.Addr().String(), nil); !errors.Is(err, ErrRefused) {
		t.Errorf("control let %s through: %v", l.Addr(), err)
	}
	if err := (&Dialer{}).control("tcp4", "169.254.169.254:80", nil); !errors.Is(err, ErrRefused) {
		t.Errorf("control let the metadata address through: %v", err)
	}
	if _, err := (&Dialer{}).DialContext(context.Background(), "tcp", l.Addr().String()); !errors.Is(err, ErrRefused) {
		t.Errorf("production dialer reached loopback: %v", err)
	}
	dev := &Dialer{Policy: Policy{AllowLoopback: true}}
	for _, addr := range []string{l.Addr().String(), "localhost:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)} {
		c, err := dev.DialContext(context.Background(), "tcp", addr)
		if err != nil {
			t.Fatalf("AllowLoopback dialer to %s: %v", addr, err)
		}
		c.Close()
	}
}
