package grading

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// engineImports are the packages only the engine (package run) may use:
// every grader imports this package, and a grader must compile without the sandbox.
var engineImports = []string{
	"github.com/assayhq/assay/internal/sandbox",
	"github.com/assayhq/assay/internal/gitfetch",
	"github.com/assayhq/assay/internal/gradingdb",
	"github.com/assayhq/assay/internal/pgwire",
	"github.com/assayhq/assay/internal/grading/run",
}

func TestImportsNoEngine(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		files++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, banned := range engineImports {
				if path == banned || strings.HasPrefix(path, banned+"/") {
					t.Errorf("%s imports %s: the engine's dependencies belong in package run", name, path)
				}
			}
		}
	}
	if files == 0 {
		t.Fatal("no source files found: the test runs in the wrong directory")
	}
}
