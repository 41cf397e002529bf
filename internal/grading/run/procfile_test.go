package run

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func checkout(t *testing.T, files map[string]string) *os.Root {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

func TestReadProcfile(t *testing.T) {
	root := checkout(t, map[string]string{"Procfile": "# comment\nweb: node server.js\nrelease:   node release.js\nworker: x\n"})
	p, err := readProcfile(root)
	if err != nil || p.Web != "node server.js" || p.Release != "node release.js" || p.Build != "" {
		t.Fatalf("%+v, %v", p, err)
	}
	if _, err := readProcfile(checkout(t, nil)); !errors.Is(err, errNoProcfile) || !strings.Contains(err.Error(), "no Procfile") {
		t.Fatalf("missing Procfile: %v", err)
	}
	// Without a web line the other lines still count: an adaptive run keeps them.
	p, err = readProcfile(checkout(t, map[string]string{"Procfile": "release: x\n"}))
	if !errors.Is(err, errNoWebLine) || !strings.Contains(err.Error(), "web:") || p == nil || p.Release != "x" {
		t.Fatalf("no web line: %+v, %v", p, err)
	}
}

func TestProcfileSymlinkOutside(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("web: leaked\n"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "Procfile"))
	root, _ := os.OpenRoot(dir)
	defer root.Close()
	if p, err := readProcfile(root); err == nil {
		t.Fatalf("read a Procfile outside the checkout: %+v", p)
	}
}

func TestBuildCommand(t *testing.T) {
	for _, tc := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"Procfile": "web: x\nbuild: make\n", "go.mod": ""}, "make"},
		{map[string]string{"package.json": `{"scripts":{"build":"tsc"}}`, "package-lock.json": "{}"}, "npm ci --no-audit --no-fund && npm run build"},
		{map[string]string{"package.json": `{}`}, "npm install --no-audit --no-fund"},
		{map[string]string{"go.mod": "module x"}, "go build ./..."},
		{map[string]string{"requirements.txt": ""}, "python3 -m venv .venv && .venv/bin/pip install --disable-pip-version-check -r requirements.txt"},
		{map[string]string{"pyproject.toml": ""}, "python3 -m venv .venv && .venv/bin/pip install --disable-pip-version-check ."},
		{map[string]string{"main.sh": ""}, ""},
	} {
		root := checkout(t, tc.files)
		p := &Procfile{Web: "x"}
		if tc.files["Procfile"] != "" {
			p, _ = readProcfile(root)
		}
		if got := buildCommand(root, p); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.files, got, tc.want)
		}
	}
}
