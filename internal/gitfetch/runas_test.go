package gitfetch

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/assayhq/assay/internal/gitfetch/gittest"
)

// nobody is the unprivileged user the tests give git to.
var nobody = &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}

// TestRemoteFetchRunsAsTheGivenUser: with RunAs, what git writes belongs to
// that user, and a destination only root may write is refused, so git did
// not run as root.
func TestRemoteFetchRunsAsTheGivenUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Fatal("this test changes users and must run as root, as make test does")
	}
	repo, commit := gittest.MakeRepo(t, map[string]string{"README.md": "hello"})
	url := gittest.Serve(t, repo)
	opt := Options{AllowLoopbackHTTP: true, RunAs: nobody}

	dest := reachableDir(t)
	if err := os.Chown(dest, int(nobody.Uid), int(nobody.Gid)); err != nil {
		t.Fatal(err)
	}
	res, err := Fetch(context.Background(), url, "", dest, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit != commit {
		t.Errorf("commit %s, want %s", res.Commit, commit)
	}
	for _, name := range []string{".git/HEAD", ".git/shallow", "README.md"} {
		fi, err := os.Lstat(filepath.Join(dest, name))
		if err != nil {
			t.Fatal(err)
		}
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != nobody.Uid {
			t.Errorf("%s belongs to uid %d, want %d (git ran as another user)", name, uid, nobody.Uid)
		}
	}

	if _, err := Fetch(context.Background(), url, "", reachableDir(t), opt); err == nil {
		t.Error("git wrote into a directory only root may write: it ran as root")
	}
}

// TestProbeRunsAsTheGivenUser: asking a server about a repository works as
// the unprivileged user too (git's home is given to it).
func TestProbeRunsAsTheGivenUser(t *testing.T) {
	repo, _ := gittest.MakeRepo(t, map[string]string{"README.md": "hello"})
	url := gittest.Serve(t, repo)
	if err := Probe(context.Background(), url, "main", Options{AllowLoopbackHTTP: true, RunAs: nobody}); err != nil {
		t.Fatal(err)
	}
}

// reachableDir is an empty root-owned 0755 directory that other users can
// reach (the test's temporary directories are root's 0700).
func reachableDir(t *testing.T) string {
	t.Helper()
	dest := emptyDir(t)
	for _, d := range []string{filepath.Dir(filepath.Dir(dest)), filepath.Dir(dest)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dest
}
