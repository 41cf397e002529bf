package intake

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

var defaultPolicy = Policy{Hosts: []string{"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"}}

func TestRepoURLRefusals(t *testing.T) {
	for _, raw := range []string{
		"",
		"http://github.com/acme/planets",
		"file:///etc/passwd",
		"file://github.com/acme/planets",
		"ssh://git@github.com/acme/planets.git",
		"git@github.com:acme/planets.git",
		"git://github.com/acme/planets",
		"https://user:token@github.com/acme/planets",
		"https://token@github.com/acme/planets",
		"https://127.0.0.1/acme/planets",
		"https://[::1]/acme/planets",
		"https://169.254.169.254/latest/meta-data",
		"https://10.0.0.1/acme/planets",
		"https://localhost/acme/planets",
		"https://2130706433/acme/planets",
		"https://evil.example/acme/planets",
		"https://github.com.evil.example/acme/planets",
		"https://github.com:8443/acme/planets",
		"https://github.com:22/acme/planets",
		"https://github.com/acme",
		"https://github.com/",
		"https://github.com/acme/../../etc",
		"https://github.com/acme/planets?x=1",
		"https://github.com/acme/planets#main",
		"https://github.com/acme/plan ets",
		"https://github.com/acme/pla\nnets",
		"https://github.com/-acme/planets",
		"https://github.com/acme/planets\x00",
		"https:///acme/planets",
		strings.Repeat("https://github.com/a/", 200),
	} {
		if got, err := defaultPolicy.RepoURL(raw); !errors.Is(err, ErrRejected) {
			t.Errorf("RepoURL(%q) = %q, %v; want a rejection", raw, got, err)
		}
	}
}

func TestRepoURLAccepts(t *testing.T) {
	for raw, want := range map[string]string{
		"https://github.com/acme/planets":          "https://github.com/acme/planets",
		"https://GitHub.com/acme/planets.git":      "https://github.com/acme/planets",
		"https://gitlab.com/group/sub/planets/":    "https://gitlab.com/group/sub/planets",
		"https://github.com:443/acme/planets":      "https://github.com:443/acme/planets",
		"  https://codeberg.org/a_b/c.d-e  ":       "https://codeberg.org/a_b/c.d-e",
		"https://bitbucket.org/team/shopping-list": "https://bitbucket.org/team/shopping-list",
	} {
		got, err := defaultPolicy.RepoURL(raw)
		if err != nil || got != want {
			t.Errorf("RepoURL(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
}

func TestLoopbackOnlyWithSwitchAndListedPort(t *testing.T) {
	hosts := []string{"github.com", "127.0.0.1:9418"}
	on := Policy{Hosts: hosts, AllowLoopback: true}
	off := Policy{Hosts: hosts}
	if _, err := on.RepoURL("http://127.0.0.1:9418/acme/planets.git"); err != nil {
		t.Errorf("listed loopback with the switch on: %v", err)
	}
	for _, c := range []struct {
		p   Policy
		raw string
	}{
		{off, "http://127.0.0.1:9418/acme/planets"},
		{on, "http://127.0.0.1:9419/acme/planets"},
		{on, "http://127.0.0.1/acme/planets"},
		{on, "http://10.0.0.1:9418/acme/planets"},
		{on, "http://github.com/acme/planets"},
	} {
		if _, err := c.p.RepoURL(c.raw); !errors.Is(err, ErrRejected) {
			t.Errorf("RepoURL(%q) with loopback=%v accepted", c.raw, c.p.AllowLoopback)
		}
	}
}

func TestRef(t *testing.T) {
	for _, ok := range []string{"", "main", "feature/x", "v1.2.3", "0123456789abcdef0123456789abcdef01234567"} {
		if err := Ref(ok); err != nil {
			t.Errorf("Ref(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"-upload-pack=x", "--help", "a..b", "a//b", "/main", "main/", "x.lock", "a b", "a~1", "a^", "a:b", "@{1}", "a\\b", ".hidden", "a/.b", strings.Repeat("a", 256)} {
		if err := Ref(bad); !errors.Is(err, ErrRejected) {
			t.Errorf("Ref(%q) accepted", bad)
		}
	}
}

// FuzzRepoURL checks the promises RepoURL makes for whatever it accepts:
// https on an allowed host, no credentials, no IP literal, no odd port, and
// its output is accepted again unchanged.
func FuzzRepoURL(f *testing.F) {
	for _, s := range []string{"https://github.com/acme/planets", "http://127.0.0.1/a/b", "git@github.com:a/b",
		"https://u:p@github.com/a/b", "https://github.com:8443/a/b", "https://[::1]/a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := defaultPolicy.RepoURL(raw)
		if err != nil {
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("RepoURL(%q) failed without ErrRejected: %v", raw, err)
			}
			return
		}
		u, perr := url.Parse(got)
		if perr != nil {
			t.Fatalf("accepted %q but canonical %q does not parse", raw, got)
		}
		if u.Scheme != "https" || u.User != nil || (u.Port() != "" && u.Port() != "443") {
			t.Fatalf("accepted %q as %q", raw, got)
		}
		allowed := false
		for _, h := range defaultPolicy.Hosts {
			allowed = allowed || u.Hostname() == h
		}
		if !allowed {
			t.Fatalf("accepted %q on host %q", raw, u.Hostname())
		}
		again, err := defaultPolicy.RepoURL(got)
		if err != nil || again != got {
			t.Fatalf("canonical %q not stable: %q, %v", got, again, err)
		}
	})
}

func FuzzRef(f *testing.F) {
	for _, s := range []string{"main", "a..b", "-x", "v1/x.lock"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		if Ref(ref) != nil {
			return
		}
		if strings.HasPrefix(ref, "-") || strings.Contains(ref, "..") || strings.ContainsAny(ref, " ~^:?*[\\\x00") {
			t.Fatalf("accepted unsafe ref %q", ref)
		}
	})
}
