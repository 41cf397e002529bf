package warmcache

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/sandbox"
)

func newSandbox(t *testing.T) *sandbox.Manager {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		os.Chmod(d, 0o711)
	}
	m, err := sandbox.New(sandbox.Config{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEnsureWarmsGoBuilds: once the keeper has made a generation, a candidate's build
// in a box compiles only its own package, and the generation cannot be changed by it.
func TestEnsureWarmsGoBuilds(t *testing.T) {
	m := newSandbox(t)
	k := &Keeper{Dir: filepath.Join(t.TempDir(), "warm"), Sandbox: m, Module: map[string]string{
		"go.mod":  "module assay.test/warm\n\ngo 1.22\n",
		"main.go": "package main\n\nimport _ \"encoding/json\"\n\nfunc main() {}\n",
	}}
	ctx := context.Background()
	g, err := k.Ensure(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.WarmCache() != g.Dir {
		t.Fatalf("the sandbox uses %q, not the new generation %q", m.WarmCache(), g.Dir)
	}
	if again, err := k.Ensure(ctx); err != nil || again != g {
		t.Fatalf("a fresh generation was not reused: %+v %v", again, err)
	}
	assertReadOnly(t, g.Dir)

	box, err := m.NewBox(ctx, "candidate")
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	files := map[string]string{
		"go.mod":  "module example.com/app\n\ngo 1.22\n",
		"main.go": "package main\n\nimport (\n\t\"encoding/json\"\n\t\"fmt\"\n)\n\nfunc main() {\n\tb, _ := json.Marshal(map[string]int{\"n\": 1})\n\tfmt.Println(string(b))\n}\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(box.Dir(), name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// -v names each package compiled; cached packages are not.
	r, err := box.Run(ctx, sandbox.Spec{Phase: "build", Command: "go build -v -o bin/app . && bin/app"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Output != "example.com/app\n{\"n\":1}\n" {
		t.Fatalf("the build was not warm (it should compile example.com/app alone): %+v", r)
	}
}

// assertReadOnly checks that a generation is root's and nobody can write to it.
func assertReadOnly(t *testing.T, dir string) {
	t.Helper()
	files := 0
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := d.Info()
		if fi.Mode().Perm()&0o022 != 0 || !d.IsDir() && fi.Mode().Perm()&0o200 != 0 {
			t.Errorf("%s is mode %s", path, fi.Mode())
		}
		if d.Type().IsRegular() {
			files++
		}
		return nil
	})
	if files < 100 {
		t.Fatalf("the generation holds %d files: the build cache was not kept", files)
	}
}

// TestPrune keeps the two newest generations of the toolchain in use; the others
// (older ones, other toolchains') go once the newest has been there long enough for
// every box to have left them; unfinished builds go at once.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"go1.99-100", "go1.99-300", "go1.99-200", "go1.98-400", ".new-abcd"} {
		os.Mkdir(filepath.Join(dir, name), 0o755)
	}
	k := &Keeper{Dir: dir, Toolchain: func() (string, error) { return "go1.99", nil }}
	k.defaults()
	g, ok, err := k.Current()
	if err != nil || !ok || filepath.Base(g.Dir) != "go1.99-300" || !g.Built.Equal(time.Unix(300, 0)) {
		t.Fatalf("current %+v %v %v", g, ok, err)
	}
	left := func() string {
		ents, _ := os.ReadDir(dir)
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		return strings.Join(names, " ")
	}
	k.prune("go1.99", time.Unix(300, 0).Add(time.Hour)) // go1.99-300 is an hour old
	if got := left(); got != "go1.98-400 go1.99-100 go1.99-200 go1.99-300" {
		t.Fatalf("an hour after the newest, left %q", got)
	}
	k.prune("go1.99", time.Unix(300, 0).Add(3*time.Hour))
	if got := left(); got != "go1.99-200 go1.99-300" {
		t.Fatalf("three hours after the newest, left %q", got)
	}
}

// TestGoModuleIsComplete: the embedded module has what `go build` needs.
func TestGoModuleIsComplete(t *testing.T) {
	files := GoModule()
	for _, name := range []string{"go.mod", "go.sum", "main.go"} {
		if files[name] == "" {
			t.Errorf("%s is missing", name)
		}
	}
	if !strings.Contains(files["go.mod"], "github.com/jackc/pgx/v5") {
		t.Error("go.mod does not require pgx")
	}
}
