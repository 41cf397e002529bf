package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func reasons(s *Snapshot) map[string]string {
	m := map[string]string{}
	for _, sk := range s.Skipped {
		m[sk.Path] = sk.Reason
	}
	return m
}

func TestTakeKeepsTextAndSaysWhatItSkipped(t *testing.T) {
	fsys := fstest.MapFS{
		"main.go":                     {Data: []byte("package main\n")},
		"README.md":                   {Data: []byte("# hi\n")},
		"logo.png":                    {Data: []byte("\x89PNG\x00\x01")},
		"latin1.txt":                  {Data: []byte("caf\xe9")},
		"node_modules/left-pad/i.js":  {Data: []byte("module.exports = 1\n")},
		"vendor/x/y.go":               {Data: []byte("package y\n")},
		"api/__pycache__/m.cpython.c": {Data: []byte("x")},
		"big.sql":                     {Data: []byte(strings.Repeat("a", 101))},
	}
	s, err := Take(fsys, Limits{FileBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, f := range s.Files {
		kept = append(kept, f.Path)
	}
	if got := strings.Join(kept, ","); got != "README.md,main.go" {
		t.Fatalf("kept %s", got)
	}
	want := map[string]string{"logo.png": SkipBinary, "latin1.txt": SkipBinary, "node_modules/": SkipVendored,
		"vendor/": SkipVendored, "api/__pycache__/": SkipVendored, "big.sql": SkipTooLarge}
	got := reasons(s)
	for p, r := range want {
		if got[p] != r {
			t.Errorf("%s: skipped as %q, want %q", p, got[p], r)
		}
	}
	if len(got) != len(want) {
		t.Errorf("skipped %v", got)
	}
}

func TestTakeStopsAtTheTotalCaps(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, n := range []string{"a", "b", "c", "d"} {
		fsys[n+".txt"] = &fstest.MapFile{Data: []byte("0123456789")}
	}
	s, _ := Take(fsys, Limits{TotalBytes: 25})
	if len(s.Files) != 2 || reasons(s)["c.txt"] != SkipTotalCap || reasons(s)["d.txt"] != SkipTotalCap {
		t.Fatalf("bytes cap: kept %d, skipped %v", len(s.Files), s.Skipped)
	}
	s, _ = Take(fsys, Limits{Files: 3})
	if len(s.Files) != 3 || reasons(s)["d.txt"] != SkipTotalCap {
		t.Fatalf("files cap: kept %d, skipped %v", len(s.Files), s.Skipped)
	}
}

func TestTakeKeepsHostileNamesAsDataAndSkipsSymlinks(t *testing.T) {
	dir := t.TempDir()
	hostile := `<img src=x onerror=alert(1)>.js`
	if err := os.WriteFile(filepath.Join(dir, hostile), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	s, err := Take(root.FS(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if s.File(hostile) == nil {
		t.Fatalf("hostile name not kept: %+v", s.Files)
	}
	if s.File("passwd") != nil || reasons(s)["passwd"] != SkipSpecial {
		t.Fatalf("symlink out of the tree: %+v %+v", s.Files, s.Skipped)
	}
}

func TestFactsReadLanguagesTestsDependenciesAndReadme(t *testing.T) {
	s, _ := Take(fstest.MapFS{
		"README.md":            {Data: []byte("# x\n")},
		"go.mod":               {Data: []byte("module m\n\nrequire (\n\tgithub.com/gin-gonic/gin v1\n\tgorm.io/gorm v1 // indirect\n)\nrequire github.com/x/y v2\n")},
		"main.go":              {Data: []byte("package main\n\nfunc main() {}")},
		"main_test.go":         {Data: []byte("package main\n")},
		"web/package.json":     {Data: []byte(`{"dependencies": {"express": "4"}, "devDependencies": {"jest": "29"}}`)},
		"web/app.test.js":      {Data: []byte("test()\n")},
		"py/requirements.txt":  {Data: []byte("# deps\nflask==3.0\n-r other.txt\npsycopg[binary]>=3\n")},
		"py/pyproject.toml":    {Data: []byte("[project]\nname = \"x\"\ndependencies = [\n  \"fastapi>=0.1\",\n  \"uvicorn\",\n]\n")},
		"py/tests/test_api.py": {Data: []byte("def test(): pass\n")},
	}, Limits{})
	f := s.Facts()
	if f.Readme != "README.md" || f.Files != 9 {
		t.Fatalf("readme %q files %d", f.Readme, f.Files)
	}
	if f.Languages[0] != (LanguageSize{Name: "TOML", Files: 1, Lines: 6}) || f.Languages[1] != (LanguageSize{Name: "Go", Files: 2, Lines: 4}) {
		t.Fatalf("languages, most lines first: %+v", f.Languages)
	}
	if strings.Join(f.TestFiles, ",") != "main_test.go,py/tests/test_api.py,web/app.test.js" {
		t.Fatalf("test files %v", f.TestFiles)
	}
	deps := map[string]string{}
	for _, m := range f.Dependencies {
		deps[m.Path] = strings.Join(m.Packages, ",")
	}
	want := map[string]string{
		"go.mod":              "github.com/gin-gonic/gin,gorm.io/gorm,github.com/x/y",
		"web/package.json":    "express,jest (dev)",
		"py/requirements.txt": "flask,psycopg",
		"py/pyproject.toml":   "fastapi,uvicorn",
	}
	for p, w := range want {
		if deps[p] != w {
			t.Errorf("%s: %q, want %q", p, deps[p], w)
		}
	}
}
