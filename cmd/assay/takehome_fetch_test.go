package main

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/assayhq/assay/internal/gitfetch/gittest"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/testenv"
)

// A bundle in a repository is fetched and zipped as an upload: it loads,
// without .git, and a link in the repository is left out rather than followed.
func TestFetchBundleZipsTheCheckout(t *testing.T) {
	files := testenv.HelloBundle("from-git", "hello\n")
	dir, _ := gittest.MakeRepo(t, files)
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "reference", "passwd")); err != nil {
		t.Fatal(err)
	}
	commit := gittest.Commit(t, dir, nil)
	root := t.TempDir()
	if err := os.Rename(dir, filepath.Join(root, "th")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gittest.Handler(t, root))
	defer srv.Close()

	z, got, err := fetchBundle(true)(context.Background(), srv.URL+"/th", "")
	if err != nil {
		t.Fatal(err)
	}
	if got != commit {
		t.Fatalf("commit %s, want %s", got, commit)
	}
	slug, v, err := rules.TakehomeUpload(z)
	if err != nil || slug != "from-git" || v.Title != "Hello" {
		t.Fatalf("fetched bundle: %q %+v %v", slug, v, err)
	}
	names := zipNames(t, z)
	if names[".git/HEAD"] || names["reference/passwd"] || !names["reference/Procfile"] {
		t.Fatalf("zip holds %v", names)
	}
}

func zipNames(t *testing.T, z []byte) map[string]bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, f := range zr.File {
		out[f.Name] = true
	}
	return out
}
