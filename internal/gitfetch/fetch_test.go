package gitfetch

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/gitfetch/gittest"
)

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFetchLoopbackHTTP(t *testing.T) {
	repo, first := gittest.MakeRepo(t, map[string]string{"Procfile": "web: ./run\n", "app/data/data.json": "[]"})
	second := gittest.Commit(t, repo, map[string]string{"Procfile": "web: ./run2\n"})
	url := gittest.Serve(t, repo)
	opt := Options{AllowLoopbackHTTP: true}

	for _, tc := range []struct{ ref, commit, procfile string }{
		{"", second, "web: ./run2\n"},
		{"main", second, "web: ./run2\n"},
		{first, first, "web: ./run\n"},
	} {
		dest := emptyDir(t)
		res, err := Fetch(context.Background(), url, tc.ref, dest, opt)
		if err != nil {
			t.Fatalf("ref %q: %v", tc.ref, err)
		}
		if res.Commit != tc.commit || res.Bytes <= 0 {
			t.Errorf("ref %q: result %+v, want commit %s and bytes counted", tc.ref, res, tc.commit)
		}
		// gittest commits with fixed dates, so the dates read back are the commit's own.
		if want := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); !res.AuthoredAt.Equal(want) || !res.CommittedAt.Equal(want) {
			t.Errorf("ref %q: commit dates %v / %v, want %v", tc.ref, res.AuthoredAt, res.CommittedAt, want)
		}
		if got := readFile(t, dest, "Procfile"); got != tc.procfile {
			t.Errorf("ref %q: Procfile %q, want %q", tc.ref, got, tc.procfile)
		}
		if _, err := os.Stat(filepath.Join(dest, ".git", "shallow")); err != nil {
			t.Errorf("ref %q: checkout is not shallow: %v", tc.ref, err)
		}
		if entries, _ := os.ReadDir(filepath.Join(dest, ".git", "hooks")); len(entries) > 0 {
			t.Errorf("ref %q: hooks directory populated", tc.ref)
		}
	}
}

func TestFetchHTTPSThroughProxy(t *testing.T) {
	repo, commit := gittest.MakeRepo(t, map[string]string{"README.md": "hello"})
	srv, ca := tlsGitServer(t, filepath.Dir(repo))
	res := newResolver(evilAnswers)
	opt := Options{Resolver: res, CAFile: ca,
		Dial: strictDial(t, map[string]string{goodIP + ":443": srv.Listener.Addr().String()})}
	dest := emptyDir(t)
	got, err := Fetch(context.Background(), "https://example.com/repo", "main", dest, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got.Commit != commit || readFile(t, dest, "README.md") != "hello" {
		t.Errorf("got %+v", got)
	}
	if n := res.count("example.com"); n != 1 {
		t.Errorf("example.com resolved %d times, want once (checked, then pinned)", n)
	}
}

// TestDNSRebinding: the name answers a public address when checked and
// loopback afterwards. git must reach the checked address (the strict dialer
// fails the test on any dial to 127.0.0.1).
func TestDNSRebinding(t *testing.T) {
	repo, commit := gittest.MakeRepo(t, map[string]string{"README.md": "hello"})
	srv, ca := tlsGitServer(t, filepath.Dir(repo))
	res := newResolver(map[string][]string{"example.com": {goodIP, "127.0.0.1"}})
	opt := Options{Resolver: res, CAFile: ca,
		Dial: strictDial(t, map[string]string{goodIP + ":443": srv.Listener.Addr().String()})}
	got, err := Fetch(context.Background(), "https://example.com/repo", "", emptyDir(t), opt)
	if err != nil {
		t.Fatal(err)
	}
	if got.Commit != commit {
		t.Errorf("commit %s, want %s", got.Commit, commit)
	}
}

func TestSizeCapStopsTheTransfer(t *testing.T) {
	repo, _ := gittest.MakeRepo(t, map[string]string{"blob.bin": randomString(t, 2<<20)})
	httpURL := gittest.Serve(t, repo)
	srv, ca := tlsGitServer(t, filepath.Dir(repo))
	const limit = 256 << 10
	for name, tc := range map[string]struct {
		url string
		opt Options
	}{
		"loopback http": {httpURL, Options{AllowLoopbackHTTP: true}},
		"https proxy": {"https://example.com/repo", Options{Resolver: newResolver(evilAnswers), CAFile: ca,
			Dial: strictDial(t, map[string]string{goodIP + ":443": srv.Listener.Addr().String()})}},
		"local": {repo, Options{AllowLocal: true}},
	} {
		tc.opt.MaxBytes = limit
		dest := emptyDir(t)
		_, err := Fetch(context.Background(), tc.url, "", dest, tc.opt)
		t.Logf("%s: %v", name, err)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: got %v, want ErrTooLarge", name, err)
		}
		if _, err := os.Stat(filepath.Join(dest, "blob.bin")); err == nil {
			t.Errorf("%s: the file over the cap was checked out", name)
		}
	}
}

func TestMeterCutsAtTheCap(t *testing.T) {
	server, remote := net.Pipe()
	git, local := net.Pipe()
	m := newMeter(100 << 10)
	go m.pipe(local, bufio.NewReader(local), remote)
	go func() {
		chunk := make([]byte, 16<<10)
		for i := 0; i < 640; i++ { // 10 MB offered
			if _, err := server.Write(chunk); err != nil {
				return
			}
		}
	}()
	var got int64
	buf := make([]byte, 64<<10)
	for {
		n, err := git.Read(buf)
		got += int64(n)
		if err != nil {
			break
		}
	}
	if got > 100<<10 || !m.over.Load() {
		t.Errorf("git received %d bytes (cap 100 KiB), over=%v", got, m.over.Load())
	}
}

// TestCheckoutBombRefused: a few KB of packed zeros that would expand past
// the cap are refused before checkout.
func TestCheckoutBombRefused(t *testing.T) {
	repo, _ := gittest.MakeRepo(t, map[string]string{"zeros": strings.Repeat("\x00", 8<<20)})
	dest := emptyDir(t)
	_, err := Fetch(context.Background(), repo, "", dest, Options{AllowLocal: true, MaxBytes: 1 << 20})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if _, err := os.Stat(filepath.Join(dest, "zeros")); err == nil {
		t.Error("the oversized file was checked out")
	}
}

func TestTimeCap(t *testing.T) {
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	defer stall.Close()
	start := time.Now()
	_, err := Fetch(context.Background(), stall.URL+"/repo", "", emptyDir(t), Options{AllowLoopbackHTTP: true, Timeout: time.Second})
	t.Logf("after %v: %v", time.Since(start), err)
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("got %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("fetch stopped after %v, cap 1s", d)
	}
}

// TestIgnoresWorkerGitConfig: hooks or settings in the worker's own git
// configuration never apply to a candidate's checkout.
func TestIgnoresWorkerGitConfig(t *testing.T) {
	hooks := t.TempDir()
	marker := filepath.Join(t.TempDir(), "hook-ran")
	os.WriteFile(filepath.Join(hooks, "post-checkout"), []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755)
	global := filepath.Join(t.TempDir(), "gitconfig")
	os.WriteFile(global, []byte("[core]\n\thooksPath = "+hooks+"\n"), 0o644)
	t.Setenv("GIT_CONFIG_GLOBAL", global)
	t.Setenv("HOME", filepath.Dir(global))

	repo, _ := gittest.MakeRepo(t, map[string]string{"a": "b"})
	if _, err := Fetch(context.Background(), repo, "", emptyDir(t), Options{AllowLocal: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a hook from the worker's configuration ran")
	}
}

// TestDestOwnedBySandboxUser: the checkout directory belongs to the sandbox's
// user, not to the worker; git must still work in it.
func TestDestOwnedBySandboxUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	repo, commit := gittest.MakeRepo(t, map[string]string{"a": "b"})
	dest := emptyDir(t)
	if err := os.Chown(dest, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	res, err := Fetch(context.Background(), repo, "", dest, Options{AllowLocal: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit != commit {
		t.Errorf("commit %s, want %s", res.Commit, commit)
	}
}
