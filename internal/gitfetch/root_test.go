package gitfetch

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/assayhq/assay/internal/gitfetch/gittest"
)

// TestSymlinksStayInsideTheCheckout: a repository whose app/data is a
// symlink to a directory outside, and whose app/data.json is a symlink to a
// file outside, cannot make the grader read or write there.
func TestSymlinksStayInsideTheCheckout(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("worker secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	repo, _ := gittest.MakeRepo(t, map[string]string{"app/real/keep": "x"})
	for link, target := range map[string]string{
		"app/data":      outside,
		"app/data.json": secret,
		"app/up":        "../../..",
		"app/alias":     "real", // inside: allowed
	} {
		if err := os.Symlink(target, filepath.Join(repo, link)); err != nil {
			t.Fatal(err)
		}
	}
	gittest.Commit(t, repo, nil)

	dest := emptyDir(t)
	if _, err := Fetch(context.Background(), repo, "", dest, Options{AllowLocal: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dest, ".git", "shallow")); err != nil {
		t.Errorf("local checkout is not shallow: %v", err)
	}
	if fi, err := os.Lstat(filepath.Join(dest, "app/data")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("checkout lacks the app/data symlink the test needs: %v", err)
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()

	for _, rel := range []string{"app/data/data.json", "app/data/new/data.json", "app/up/escaped"} {
		if err := WriteFile(root, rel, []byte("graded data")); err == nil {
			t.Errorf("WriteFile(%s) followed a symlink out of the checkout", rel)
		}
	}
	if err := WriteFile(root, "app/data.json", []byte("graded data")); err != nil {
		t.Errorf("WriteFile over a symlinked file: %v", err)
	}
	if fi, err := os.Lstat(filepath.Join(dest, "app/data.json")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("app/data.json is not a regular file after WriteFile: %v", err)
	}
	if err := WriteFile(root, "app/alias/data.json", []byte("inside")); err != nil {
		t.Errorf("WriteFile through a symlink inside the checkout: %v", err)
	}
	if got := readFile(t, dest, "app/real/data.json"); got != "inside" {
		t.Errorf("app/real/data.json = %q", got)
	}
	if _, err := root.ReadFile("app/data/secret"); err == nil {
		t.Error("os.Root read a file outside the checkout")
	}
	if b, _ := os.ReadFile(secret); string(b) != "worker secret" {
		t.Errorf("file outside the checkout changed: %q", b)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("directory outside the checkout changed: %d entries", len(entries))
	}
}
