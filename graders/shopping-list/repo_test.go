package shoppinglist

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// makeRepo turns a solution into a git repository in a new directory under
// parent: the base copied, the edits applied, the binary built when prebuilt.
func makeRepo(t testing.TB, parent string, s solution) string {
	t.Helper()
	dir := filepath.Join(parent, s.name)
	base := filepath.Join("testdata", "solutions", s.base)
	if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
		t.Fatalf("copy %s: %v", base, err)
	}
	for _, e := range s.edits {
		path := filepath.Join(dir, e.file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n := strings.Count(string(b), e.old); n != 1 {
			t.Fatalf("%s: %s holds the text to replace %d times, want once:\n%s", s.name, e.file, n, e.old)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(b), e.old, e.new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if s.setup != nil {
		if err := s.setup(dir); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	if s.prebuilt {
		command(t, dir, "go", "build", "-o", "bin/shopping-list", ".")
		setBuildLine(t, dir, "build: test -x bin/shopping-list")
	}
	command(t, dir, "git", "init", "-q", "-b", "main")
	command(t, dir, "git", "add", "-A", "-f", ".")
	command(t, dir, "git", "-c", "user.name=Assay", "-c", "user.email=tests@assay.invalid", "commit", "-q", "-m", s.name)
	return dir
}

// setBuildLine replaces the Procfile's build line.
func setBuildLine(t testing.TB, dir, line string) {
	t.Helper()
	path := filepath.Join(dir, "Procfile")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if !strings.HasPrefix(l, "build:") {
			out = append(out, l)
		}
	}
	out = append([]string{line}, out...)
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func command(t testing.TB, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s in %s: %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
}

// TestVariantEditsApply: every variant's edits find their text, so a change
// to a solution cannot silently turn a flawed variant into a correct one.
func TestVariantEditsApply(t *testing.T) {
	for _, s := range solutions {
		if len(s.edits) == 0 {
			continue
		}
		for _, e := range s.edits {
			b, err := fs.ReadFile(os.DirFS(filepath.Join("testdata", "solutions", s.base)), e.file)
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(b), e.old); n != 1 {
				t.Errorf("%s: %s holds %q %d times, want once", s.name, e.file, e.old, n)
			}
		}
	}
}
