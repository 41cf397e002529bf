package shoppinglist

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/grading"
)

// Repositories that keep the data elsewhere than app/data: the grader writes
// app/data only where it exists, and a service that stores its own copy (or
// the starter's) loses data.stored_once and nothing else, in both modes.
func init() {
	for _, mode := range []string{grading.ModeAdaptive, grading.ModeStrict} {
		suffix := ""
		if mode == grading.ModeStrict {
			suffix = "-strict"
		}
		solutions = append(solutions,
			solution{
				// NestJS-like: tsc compiles every .ts file into dist/ without a
				// rootDir, the data lives in data/ at the root, there is no app/.
				// A grader-written app/data/data.ts would move the output to
				// dist/src/ and break the Procfile.
				name: "own-data-folder" + suffix, base: "typescript", mode: mode, status: grading.StatusGraded,
				failed: []string{"data.stored_once"},
				edits: []edit{
					{"tsconfig.json", "    \"rootDir\": \".\",\n", ""},
					{"tsconfig.json", `"include": ["src/**/*.ts", "app/**/*.ts"]`, `"exclude": ["node_modules", "dist"]`},
					{"src/migrations.ts", `import { shoppingLists } from "../app/data/data";`,
						"import { readFileSync } from \"fs\";\n\n" +
							"const shoppingLists: { name: string; items: { name: string; quantity: number }[] }[] =\n" +
							"  JSON.parse(readFileSync(\"data/data.json\", \"utf8\"));"},
					{"Procfile", "release: node dist/src/migrate.js", "release: node dist/migrate.js"},
					{"Procfile", "web: node dist/src/server.js", "web: node dist/server.js"},
				},
				setup: moveDataToRoot,
			},
			solution{
				// The data is read from the repository's own copy of the starter's
				// data, next to an app/data the grader fills: the starter's rows are
				// stored and correctly doubled.
				name: "starter-data-own-copy" + suffix, base: "go", prebuilt: true, mode: mode, status: grading.StatusGraded,
				failed: []string{"data.stored_once"},
				edits:  []edit{{"data.go", `os.ReadFile("app/data/data.json")`, `os.ReadFile("data/data.json")`}},
				setup: func(dir string) error {
					b, err := os.ReadFile(filepath.Join(dir, dataDir, "data.json"))
					if err != nil {
						return err
					}
					if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
						return err
					}
					return os.WriteFile(filepath.Join(dir, "data", "data.json"), b, 0o644)
				},
			},
		)
	}
}

// moveDataToRoot moves app/data/data.json to data/data.json and removes app/.
func moveDataToRoot(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(dir, dataDir, "data.json"), filepath.Join(dir, "data", "data.json")); err != nil {
		return err
	}
	return os.RemoveAll(filepath.Join(dir, "app"))
}

// TestOwnDataSaysWhy: the prepare phase says the grader's data was not
// written, data.stored_once says why it fails, and the checkout was left as
// the candidate wrote it (scorecards shared with TestSolutions).
func TestOwnDataSaysWhy(t *testing.T) {
	for _, name := range []string{"own-data-folder", "own-data-folder-strict", "starter-data-own-copy"} {
		s := solutionNamed(t, name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			card := scorecard(t, s)
			var prepare grading.Phase
			for _, p := range card.Phases {
				if p.Name == "prepare" {
					prepare = p
				}
			}
			stored := card.Check("data.stored_once").Message
			if strings.HasPrefix(name, "own-data-folder") {
				if prepare.Message != noDataDirMessage {
					t.Errorf("prepare says %q, want %q", prepare.Message, noDataDirMessage)
				}
				if !strings.Contains(stored, "no app/data folder") || !strings.Contains(stored, "the starter kit") {
					t.Errorf("data.stored_once says %q", stored)
				}
				return
			}
			if !strings.Contains(prepare.Message, "was written to app/data") || !strings.Contains(stored, "the starter kit's lists") {
				t.Errorf("prepare says %q, data.stored_once %q", prepare.Message, stored)
			}
		})
	}
}

// TestPrepareWritesOnlyIntoAppData: a checkout without app/data is left as
// it is, and its own data file (JSON, or data.ts in the starter's layout) is
// kept for grading unless it is the starter's.
func TestPrepareWritesOnlyIntoAppData(t *testing.T) {
	own := []List{{Name: "Our list", Items: []Item{{Name: "Tea", Quantity: 3}}}}
	starterJSON, err := fs.ReadFile(starterFS(), dataDir+"/data.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		files   map[string][]byte
		written bool
		own     string // the own data set's source, "" for none
	}{
		{map[string][]byte{"app/data/data.json": []byte("[]")}, true, ""},
		{map[string][]byte{"src/main.ts": []byte("")}, false, ""},
		{map[string][]byte{"data/data.json": encodeJSON(own)}, false, "data/data.json"},
		{map[string][]byte{"src/data/data.ts": encodeTS(own)}, false, "src/data/data.ts"},
		{map[string][]byte{"data/data.json": starterJSON}, false, ""},
	} {
		dir := t.TempDir()
		for name, body := range tc.files {
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		p := &grading.Prep{Seed: 5, Checkout: root}
		if err := prepare(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		root.Close()
		_, statErr := os.Stat(filepath.Join(dir, dataDir, "data.ts"))
		found, _ := p.Found.(prepared)
		switch {
		case (statErr == nil) != tc.written:
			t.Errorf("%v: data.ts written %v, want %v", tc.files, statErr == nil, tc.written)
		case found.noDataDir == tc.written || tc.written != strings.Contains(p.Message, "was written"):
			t.Errorf("%v: found %+v, message %q", tc.files, found, p.Message)
		case tc.own == "" && found.own != nil,
			tc.own != "" && (found.own == nil || found.own.Source != tc.own || !reflect.DeepEqual(found.own.Lists, own)):
			t.Errorf("%v: own data %+v, want %q", tc.files, found.own, tc.own)
		}
	}
}
