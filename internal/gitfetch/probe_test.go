package gitfetch

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/gitfetch/gittest"
)

// TestProbeTellsWhatTheCandidateCanFix checks a URL and ref the way a
// submission is checked before it is accepted: what exists passes, and a
// missing repository, branch or commit says so.
func TestProbeTellsWhatTheCandidateCanFix(t *testing.T) {
	repo, commit := gittest.MakeRepo(t, map[string]string{"README.md": "hello"})
	gittest.Git(t, repo, "tag", "v1")
	url := gittest.Serve(t, repo)
	opt := Options{AllowLoopbackHTTP: true}
	for _, tc := range []struct {
		url, ref string
		want     error
	}{
		{url, "", nil},
		{url, "main", nil},
		{url, "v1", nil},
		{url, commit, nil},
		{url, "mian", ErrNoRef},
		{url + "-typo", "", ErrNoRepository},
		{url + "-typo", "main", ErrNoRepository},
		{strings.Replace(url, "http://", "ssh://", 1), "", ErrRefused},
	} {
		err := Probe(context.Background(), tc.url, tc.ref, opt)
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("Probe(%s, %q) = %v, want %v", tc.url, tc.ref, err, tc.want)
		}
	}
}

func TestProbeEmptyRepositoryHasNoDefaultBranch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "empty")
	gittest.Git(t, filepath.Dir(dir), "init", "--quiet", "--bare", dir)
	err := Probe(context.Background(), gittest.Serve(t, dir), "", Options{AllowLoopbackHTTP: true})
	if !errors.Is(err, ErrNoRef) || !strings.Contains(err.Error(), "no commits") {
		t.Errorf("empty repository: %v", err)
	}
}

// TestProbeGoesThroughTheProxy: on the https path the probe resolves and
// connects exactly as Fetch does (a stub resolver, a dialer that allows the
// one checked address), and a host that does not exist is refused.
func TestProbeGoesThroughTheProxy(t *testing.T) {
	repo, _ := gittest.MakeRepo(t, map[string]string{"README.md": "hello"})
	srv, ca := tlsGitServer(t, filepath.Dir(repo))
	opt := Options{Resolver: newResolver(map[string][]string{"example.com": {goodIP}}), CAFile: ca,
		Dial: strictDial(t, map[string]string{goodIP + ":443": srv.Listener.Addr().String()})}
	if err := Probe(context.Background(), "https://example.com/"+filepath.Base(repo), "main", opt); err != nil {
		t.Errorf("existing repository through the proxy: %v", err)
	}
	if err := Probe(context.Background(), "https://example.com/missing", "", opt); !errors.Is(err, ErrNoRepository) {
		t.Errorf("missing repository through the proxy: %v", err)
	}
	if err := Probe(context.Background(), "https://nowhere.example.com/a/b", "", opt); !errors.Is(err, ErrRefused) {
		t.Errorf("unknown host: %v", err)
	}
}
