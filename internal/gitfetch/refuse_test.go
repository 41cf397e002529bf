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
	"6to4.evil.test":     {"2002:a9fe:a9fe::1"},
	"teredo.evil.test":   {"2001:0:4136:e378:8000:63bf:3fff:fdd2"},
	"doc.evil.test":      {"192.0.2.10"},
	"bench.evil.test":    {"198.18.0.1"},
	"mixed.evil.test":    {goodIP + ";192.168.1.10"},
	"example.com":        {goodIP},
	"other.example":      {otherIP}, // public, but not the repository's host
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
		{url: "https://[fe80::1%25eth0]/a/b.git"},
		{url: "https://[64:ff9b::a9fe:a9fe]/a/b.git"},
		{url: "https://203.0.113.5/a/b.git"},
		{url: "https://224.0.0.1/a/b.git"},
		{url: "https://localhost/a/b.git"},
		{url: "https://git.localhost/a/b.git"},
		{url: "https://nonexistent.test/a/b.git"},
		{url: "https://under_score.test/a/b.git"},
	}
	for host := range evilAnswers {
		if strings.HasSuffix(host, ".evil.test") {
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

// TestProxyTunnelsOnlyToTheRepositoryHost drives the CONNECT proxy
// directly, as git would after a redirect: any host but the repository's is
// refused, public or not, and nothing is dialled.
func TestProxyTunnelsOnlyToTheRepositoryHost(t *testing.T) {
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
	for _, target := range []string{"other.example:443", "loopback.evil.test:443", "metadata.evil.test:443",
		"127.0.0.1:443", "[::1]:443", otherIP + ":443", "example.com:22", "localhost:443"} {
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
	if err := p.refused(); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "other.example") {
		t.Errorf("proxy recorded refusal %v, want the first one (other.example)", err)
	}
}

// TestRedirectToAnotherHostRefused: the repository's host redirecting git
// elsewhere, to a name resolving to loopback or to a public host alike,
// gets git nowhere: the proxy connects to the repository's host only.
func TestRedirectToAnotherHostRefused(t *testing.T) {
	for _, target := range []string{"loopback.evil.test", "other.example"} {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://"+target+r.URL.RequestURI(), http.StatusMovedPermanently)
		}))
		defer srv.Close()
		opt := Options{Resolver: newResolver(evilAnswers), CAFile: caFile(t, srv),
			Dial: strictDial(t, map[string]string{goodIP + ":443": srv.Listener.Addr().String()})}
		_, err := Fetch(context.Background(), "https://example.com/repo", "", emptyDir(t), opt)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "redirect to "+target) {
			t.Errorf("redirect to %s: got %v, want a refusal naming it", target, err)
		}
	}
}
