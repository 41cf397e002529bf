package run

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestForeignStoresFindSQLiteByHeader: SQLite files are found by their
// header whatever their name; dependency folders, links out of the tree and
// other files are not.
func TestForeignStoresFindSQLiteByHeader(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	sqlite := string(sqliteMagic) + "rest of the page"
	for name, body := range map[string]string{
		"data/shop.db":            sqlite,
		"node_modules/x/test.db":  sqlite, // a dependency's fixture
		"notes.sqlite":            "not a database at all",
		"a/b/c/d/e/too-deep.db":   sqlite,
		"README.md":               "hello",
		"outside-the-tree/secret": "",
	} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "host.db"), []byte(sqlite), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if got := foreignStores(root); !slices.Equal(got, []string{"data/shop.db"}) {
		t.Errorf("found %v, want [data/shop.db]", got)
	}
}
