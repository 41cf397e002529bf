package gitfetch

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// evil names resolve (through the stub) to addresses that must never be reached.
var evilAnswers = map[string][]string{
	"loopback.evil.test": {"127.0.0.1"},
	"v6loop.evil.test":   {"::1"},
	"mapped.evil.test":   {"::ffff:127.0.0.1"},
	"private.evil.test":  {"10.0.0.1"},
	"ula.evil.test":      {"fd00::1"},
	"metadata.evil.test": {"169.254.169.254"},
	"cgnat.evil.test":    {"100.64.1.1"},
	"nat64.evil.test":    {"64:ff9b::7f00:1"},
	"mixed.evil.test":    {goodIP + ";192.168.1.10"},
	"example.com":        {goodIP},
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		url string
		opt Options
	}{
		{url: "http://example.com/repo.git"},
		{url: "http://127.0.0.1:9/repo.git"}, // loopback http needs the switch
		{url: "http://10.0.0.1/repo.git", opt: Options{AllowLoopbackHTTP: true}},
		{url: "http://example.com/repo.git", opt: Options{AllowLoopbackHTTP: true}},
		{url: "file:///tmp"},
		{url: "/tmp"},
		{url: "--upload-pack=touch /tmp/pwned"},
		{url: "ssh://git@example.com/a/b.git"},
		{url: "git@example.com:a/b.git"},
		{url: "git@example.com:a/b.git", opt: Options{AllowLocal: true}},
		{url: "git://example.com/a/b.git"},
		{url: "ext::sh -c touch% /tmp/pwned"},
		{url: "ftp://example.com/a/b.git"},
		{url: "https://user:secret@example.com/a/b.git"},
		{url: "https://secret@example.com/a/b.git"},
		{url: "https://example.com:8443/a/b.git"},
		{url: "https://example.com/a/b.git?x=1"},
		{url: "https://example.com/a b.git"},
		{url: "https://127.0.0.1/a/b.git"},
		{url: "https://[::1]/a/b.git"},
		{url: "https://[::ffff:127.0.0.1]/a/b.git"},
		{url: "https://0.0.0.0/a/b.git"},
		{url: "https://169.254.169.254/latest/meta-data"},
		{url: "https://10.0.0.1/a/b.git"},
		{url: "https://172.16.5.4/a/b.git"},
		{url: "https://192.168.1.1/a/b.git"},
		{url: "https://100.64.0.1/a/b.git"},
		{url: "https://[fe80::1]/a/b.git"},
		{url: "https://224.0.0.1/a/b.git"},
		{url: "https://localhost/a/b.git"},
		{url: "https://git.localhost/a/b.git"},
		{url: "https://nonexistent.test/a/b.git"},
		{url: "https://under_score.test/a/b.git"},
	}
	for host := range evilAnswers {
		if host != "example.com" {
			cases = append(cases, struct {
				url string
				opt Options
			}{url: "https://" + host + "/a/b.git"})
		}
	}
	for _, tc := range cases {
		opt := tc.opt
		opt.Resolver = newResolver(evilAnswers)
		opt.Dial = strictDial(t, nil)
		_, err := Fetch(context.Background(), tc.url, "", emptyDir(t), opt)
		if !errors.Is(err, ErrRefused) {
			t.Errorf("%s: got %v, want ErrRefused", tc.url, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error repeats the credentials: %v", tc.url, err)
		}
	}
}

func TestRefusedRefs(t *testing.T) {
	for _, ref := range []string{"--upload-pack=x", "-b", "main..other", "HEAD@{1}", "main^", "a b", "main:x", "x.lock", "topic/"} {
		opt := Options{Resolver: newResolver(evilAnswers), Dial: strictDial(t, nil)}
		if _, err := Fetch(context.Background(), "https://example.com/a.git", ref, emptyDir(t), opt); !errors.Is(err, ErrRefused) {
			t.Errorf("ref %q: got %v, want ErrRefused", ref, err)
		}
	}
}

// TestProxyChecksEveryConnect drives the CONNECT proxy directly, as git
// would after a redirect to another host.
func TestProxyChecksEveryConnect(t *testing.T) {
	opt := Options{Resolver: newResolver(evilAnswers), Dial: strictDial(t, nil)}
	opt = opt.withDefaults()
	src, err := checkSource(context.Background(), "https://example.com/a.git", &opt)
	if err != nil {
		t.Fatal(err)
	}
	p, err := startConnectProxy(context.Background(), &opt, newMeter(1<<20), src)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	for _, target := range []string{"loopback.evil.test:443", "metadata.evil.test:443", "127.0.0.1:443", "[::1]:443", "example.com:22", "localhost:443"} {
		c, err := net.Dial("tcp", p.l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n"))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		c.Close()
		if err != nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("CONNECT %s: %v %v, want 403", target, resp, err)
		}
	}
	if !errors.Is(p.refused(), ErrRefused) {
		t.Errorf("proxy recorded refusal %v", p.refused())
	}
}

func TestCheckAddr(t *testing.T) {
	for _, s := range []string{"8.8.8.8", "140.82.121.3", "2606:50c0:8000::153", goodIP} {
		if err := checkAddr(mustAddr(s)); err != nil {
			t.Errorf("%s refused: %v", s, err)
		}
	}
	for _, s := range []string{"127.0.0.1", "127.5.5.5", "::1", "0.0.0.0", "::", "10.1.2.3", "172.31.255.255", "192.168.0.1",
		"fc00::1", "fd12::1", "169.254.169.254", "fe80::1", "100.64.0.1", "100.127.255.255", "224.0.0.251", "ff02::1",
		"255.255.255.255", "240.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::", "198.18.0.1", "0.1.2.3"} {
		if err := checkAddr(mustAddr(s)); err == nil {
			t.Errorf("%s allowed", s)
		}
	}
}

// TestRedirectToForbiddenHostRefused: a public server redirecting git to a
// name that resolves to loopback gets git nowhere: the proxy checks the new
// host when git asks to connect to it.
func TestRedirectToForbiddenHostRefused(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://loopback.evil.test"+r.URL.RequestURI(), http.StatusMovedPermanently)
	}))
	defer srv.Close()
	opt := Options{Resolver: newResolver(evilAnswers), CAFile: caFile(t, srv),
		Dial: strictDial(t, map[string]string{goodIP + ":443": srv.Listener.Addr().String()})}
	_, err := Fetch(context.Background(), "https://example.com/repo", "", emptyDir(t), opt)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("got %v, want a refusal naming the loopback address", err)
	}
}
