package gitfetch

import (
	"context"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/assayhq/assay/internal/gitfetch/gittest"
)

// stubResolver answers from a table and never touches DNS. A host with
// several answers gets them in turn (the last one repeats): a rebinding
// server.
type stubResolver struct {
	mu      sync.Mutex
	answers map[string][]string
	calls   map[string]int
}

func newResolver(answers map[string][]string) *stubResolver {
	return &stubResolver{answers: answers, calls: map[string]int{}}
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
	for _, s := range strings.Split(list[i], ";") { // one answer: addresses separated by ';'
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

func (r *stubResolver) count(host string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[host]
}

// strictDial connects only the addresses in routes (checked address ->
// loopback test server) and fails the test for any other: no packet leaves
// loopback, and a refused address is never dialed.
func strictDial(t *testing.T, routes map[string]string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		to, ok := routes[addr]
		if !ok {
			t.Errorf("dial to unexpected address %s", addr)
			return nil, fmt.Errorf("test: dial to %s not allowed", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, to)
	}
}

// tlsGitServer serves root's repositories over https on loopback and returns
// the server and a CA file git can trust. Its certificate is for example.com.
func tlsGitServer(t *testing.T, root string) (*httptest.Server, string) {
	srv := httptest.NewTLSServer(gittest.Handler(t, root))
	t.Cleanup(srv.Close)
	return srv, caFile(t, srv)
}

// caFile writes the test server's certificate where git can trust it.
func caFile(t *testing.T, srv *httptest.Server) string {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	return ca
}

// goodIP stands for example.com's public address in tests, otherIP for
// another public host's (documentation ranges are refused by netpolicy).
// Nothing is ever sent to them: the strict dialer maps goodIP to the
// loopback test server and fails the test on any other address.
const (
	goodIP  = "140.82.121.3"
	otherIP = "140.82.121.4"
)

func randomString(t testing.TB, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return string(b)
}

func emptyDir(t testing.TB) string {
	d := filepath.Join(t.TempDir(), "checkout")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}
