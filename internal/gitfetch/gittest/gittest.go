// Package gittest makes git repositories and serves them over git's smart
// HTTP protocol on loopback, for tests of fetching and of the grading
// pipeline. Nothing here touches a network beyond 127.0.0.1.
package gittest

import (
	"io"
	"log"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// env isolates git from the machine's and user's configuration and gives
// commits a fixed identity and date, so repositories are reproducible.
func env(home string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Assay Test", "GIT_AUTHOR_EMAIL=test@assay.invalid",
		"GIT_COMMITTER_NAME=Assay Test", "GIT_COMMITTER_EMAIL=test@assay.invalid",
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z",
	}
}

// Git runs git in dir and returns its trimmed output, failing the test on error.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env(t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// MakeRepo creates a repository whose branch main has one commit holding
// files (slash-separated path -> content), and returns its directory and
// that commit's sha.
func MakeRepo(t testing.TB, files map[string]string) (dir, commit string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "repo")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	Git(t, dir, "init", "--quiet", "--initial-branch=main")
	// Fetching a commit by sha over protocol v0 needs this; v2 allows it anyway.
	Git(t, dir, "config", "uploadpack.allowAnySHA1InWant", "true")
	return dir, Commit(t, dir, files)
}

// Commit writes files into the repository at dir, commits everything and
// returns the new commit's sha.
func Commit(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	Git(t, dir, "add", "--all")
	Git(t, dir, "commit", "--quiet", "--allow-empty", "--message", "test commit")
	return Git(t, dir, "rev-parse", "HEAD")
}

// Handler serves every repository under root with git http-backend; a
// repository at root/name is at /name.
func Handler(t testing.TB, root string) http.Handler {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	home := t.TempDir()
	return &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env: append(env(home),
			"GIT_PROJECT_ROOT="+root,
			"GIT_HTTP_EXPORT_ALL=1",
		),
		// A client that stops reading (tests of the size cap) is expected.
		Logger: log.New(io.Discard, "", 0),
	}
}

// Serve serves the repository at repoDir over plain HTTP on 127.0.0.1 until
// the test ends and returns its URL (fetch it with AllowLoopbackHTTP).
func Serve(t testing.TB, repoDir string) string {
	t.Helper()
	srv := httptest.NewServer(Handler(t, filepath.Dir(repoDir)))
	t.Cleanup(srv.Close)
	return srv.URL + "/" + filepath.Base(repoDir)
}
