package webhooks_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/webhooks"
)

// TestCheckURLRefusesNonPublicTargets: URLs are refused when written, for
// loopback (without the switch), private, link-local and metadata addresses.
func TestCheckURLRefusesNonPublicTargets(t *testing.T) {
	for _, c := range []struct {
		url      string
		loopback bool
		ok       bool
	}{
		{"https://hooks.example.com/assay", false, true},
		{"https://hooks.example.com:8443/assay?x=1", false, true},
		{"http://hooks.example.com/assay", false, false},
		{"http://hooks.example.com/assay", true, false},
		{"http://127.0.0.1:9000/hooks", false, false},
		{"http://127.0.0.1:9000/hooks", true, true},
		{"http://localhost:9000/hooks", true, true},
		{"https://localhost/hooks", false, false},
		{"https://127.0.0.1/hooks", false, false},
		{"https://[::1]/hooks", false, false},
		{"https://10.1.2.3/hooks", false, false},
		{"https://172.16.0.1/hooks", false, false},
		{"https://192.168.1.1/hooks", false, false},
		{"https://169.254.169.254/latest/meta-data", false, false},
		{"https://169.254.169.254/latest/meta-data", true, false},
		{"https://[fe80::1]/hooks", false, false},
		{"https://[fd00::1]/hooks", false, false},
		{"https://[::ffff:10.0.0.1]/hooks", false, false},
		{"https://100.64.0.1/hooks", false, false},
		{"https://0.0.0.0/hooks", false, false},
		// documentation, benchmarking, reserved, site-local ranges
		{"https://192.0.2.1/hooks", false, false},
		{"https://198.51.100.7/hooks", false, false},
		{"https://203.0.113.9/hooks", false, false},
		{"https://[2001:db8::1]/hooks", false, false},
		{"https://198.18.0.1/hooks", false, false},
		{"https://[fec0::1]/hooks", false, false},
		// IPv6 forms that carry an IPv4 address: Teredo, 6to4, NAT64, IPv4-compatible
		{"https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks", false, false},
		{"https://[2002:a9fe:a9fe::1]/hooks", false, false},
		{"https://[2002:808:808::1]/hooks", false, false},
		{"https://[64:ff9b::a9fe:a9fe]/hooks", false, false},
		{"https://[64:ff9b::7f00:1]/hooks", true, false},
		{"https://[64:ff9b:1::808:808]/hooks", false, false},
		{"https://[::7f00:1]/hooks", true, false},
		{"https://[64:ff9b::808:808]/hooks", false, true}, // NAT64 of a public address
		{"https://[2606:4700::6810:23]/hooks", false, true},
		{"https://user:pw@hooks.example.com/", false, false},
		{"ftp://hooks.example.com/", false, false},
		{"hooks.example.com/assay", false, false},
	} {
		err := webhooks.CheckURL(c.url, c.loopback)
		if (err == nil) != c.ok {
			t.Errorf("CheckURL(%q, loopback=%v) = %v, want ok=%v", c.url, c.loopback, err, c.ok)
		}
		if err != nil && !errors.Is(err, webhooks.ErrRefused) {
			t.Errorf("CheckURL(%q): error %v is not ErrRefused", c.url, err)
		}
	}
}

// TestCheckURLRefusesTheHostsOwnAddresses: whatever this machine's
// addresses are, a webhook URL naming one is refused, switch on or off
// (loopback aside).
func TestCheckURLRefusesTheHostsOwnAddresses(t *testing.T) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		// The policy refuses the host's own addresses by reading them: a host
		// where they cannot be read is one where that protection is off.
		t.Fatalf("read this host's addresses: %v", err)
	}
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a.String())
		if err != nil || p.Addr().IsLoopback() {
			continue
		}
		u := "https://" + netip.AddrPortFrom(p.Addr(), 443).String() + "/hooks"
		for _, loopback := range []bool{false, true} {
			if err := webhooks.CheckURL(u, loopback); !errors.Is(err, webhooks.ErrRefused) {
				t.Errorf("CheckURL(%q, loopback=%v) = %v, want refused", u, loopback, err)
			}
		}
	}
}

// stubResolver answers from a table and never asks DNS.
type stubResolver map[string][]string

func (s stubResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range s[host] {
		out = append(out, netip.MustParseAddr(a))
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return out, nil
}

// guardedDial connects only to the addresses listed and fails the test on
// any other dial: nothing ever leaves the machine.
func guardedDial(t *testing.T, allowed ...string) webhooks.DialFunc {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		for _, a := range allowed {
			if a == address {
				var d net.Dialer
				return d.DialContext(ctx, network, address)
			}
		}
		t.Errorf("dialled %s, which the policy should have refused", address)
		return nil, errors.New("test dialer: refused")
	}
}

// TestNamesResolvingToNonPublicAddressesAreNotDialled: the check is made on
// the address connected to, after resolution: a public-looking name that
// resolves to loopback, 10.x or the metadata address is never dialled.
func TestNamesResolvingToNonPublicAddressesAreNotDialled(t *testing.T) {
	res := stubResolver{
		"loop.example":   {"127.0.0.1"},
		"ten.example":    {"10.0.0.7"},
		"meta.example":   {"169.254.169.254"},
		"mixed.example":  {"10.0.0.8", "192.168.0.1", "::1"},
		"v6map.example":  {"::ffff:169.254.169.254"},
		"doc.example":    {"203.0.113.10"},
		"teredo.example": {"2001:0:4136:e378:8000:63bf:3fff:fdd2"},
		"nat64.example":  {"64:ff9b::a00:1"},
		"6to4.example":   {"2002:c0a8:101::1"},
	}
	client := webhooks.NewClient(webhooks.ClientConfig{Resolver: res, Dial: guardedDial(t), Timeout: 2 * time.Second})
	for host := range res {
		resp, err := client.Post("https://"+host+"/hooks", "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: request went through", host)
		}
		if !errors.Is(err, webhooks.ErrRefused) {
			t.Fatalf("%s: %v, want a refusal", host, err)
		}
	}
}

// TestRedirectsAreNotFollowed: a receiver redirecting to the metadata
// address or 10.x gets a failed attempt; nothing dials the target.
func TestRedirectsAreNotFollowed(t *testing.T) {
	for _, target := range []string{"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin", "http://127.0.0.1:1/"} {
		srv := httptest.NewServer(http.RedirectHandler(target, http.StatusFound))
		addr := strings.TrimPrefix(srv.URL, "http://")
		client := webhooks.NewClient(webhooks.ClientConfig{AllowLoopback: true, Dial: guardedDial(t, addr), Resolver: stubResolver{}})
		resp, err := client.Post(srv.URL+"/hooks", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("status %d: the redirect was followed", resp.StatusCode)
		}
		srv.Close()
	}
}

// TestRefusedURLFailsTheDeliveryWithoutRetry: through the sender, a URL
// refused at send time (loopback with the switch off, a name resolving to
// the metadata address, a redirect to it) is logged and the delivery ends
// failed at once: retrying cannot help.
func TestRefusedURLFailsTheDeliveryWithoutRetry(t *testing.T) {
	h := newHarness(t)
	redirect := httptest.NewServer(http.RedirectHandler("http://169.254.169.254/latest/meta-data/", http.StatusFound))
	t.Cleanup(redirect.Close)
	h.sender.Client = webhooks.NewClient(webhooks.ClientConfig{
		AllowLoopback: true,
		Resolver:      stubResolver{"metadata.example": {"169.254.169.254"}, "corp.example": {"10.20.30.40"}},
		Dial:          guardedDial(t, strings.TrimPrefix(redirect.URL, "http://")),
	})
	eps := map[string]*store.WebhookEndpoint{}
	for _, u := range []string{"https://metadata.example/hooks", "https://corp.example/hooks", redirect.URL + "/hooks"} {
		eps[u] = h.endpoint(u)
	}
	h.startWorker(2, time.Second)
	h.emit(store.EventSubmissionReceived, map[string]any{"submission_id": "x"})
	for u, ep := range eps {
		waitFor(t, 20*time.Second, "the delivery to "+u+" to end", func() bool {
			ds := h.deliveries(ep.ID)
			return len(ds) == 1 && ds[0].State != store.DeliveryPending
		})
		d := h.deliveries(ep.ID)[0]
		if d.State != store.DeliveryFailed && !strings.HasPrefix(u, redirect.URL) {
			t.Fatalf("%s: state %s", u, d.State)
		}
		if !strings.HasPrefix(u, redirect.URL) && (d.Attempts != 1 || !strings.Contains(d.LastError, "refused")) {
			t.Fatalf("%s: %d attempts, last error %q; want one refused attempt", u, d.Attempts, d.LastError)
		}
	}
	// The redirect is an ordinary failed attempt (the receiver may fix
	// it), retried on schedule, and never followed.
	d := h.deliveries(eps[redirect.URL+"/hooks"].ID)[0]
	if len(d.AttemptLog) == 0 || *d.AttemptLog[0].StatusCode != http.StatusFound ||
		!strings.Contains(d.AttemptLog[0].Error, "not followed") {
		t.Fatalf("redirect attempt %+v", d.AttemptLog)
	}
}
