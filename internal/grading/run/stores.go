package run

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
)

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// Bounds of the search for data stores outside PostgreSQL: it runs while the
// candidate's service holds the checkout, through the os.Root the engine
// opened, so it never follows a link out of the tree and never walks forever.
const (
	storeSearchDepth   = 4
	storeSearchEntries = 5000
	maxStoresNamed     = 3
)

// skippedForStores are folders no one keeps their own data in.
var skippedForStores = map[string]bool{".git": true, "node_modules": true, ".venv": true, "venv": true,
	"vendor": true, "__pycache__": true, ".home": true, "dist": true, "build": true}

// foreignStores lists the SQLite database files in the checkout (at most
// maxStoresNamed, by path), found by their header whatever their name.
func foreignStores(root *os.Root) []string {
	if root == nil {
		return nil
	}
	var found []string
	seen := 0
	errEnough := errors.New("enough")
	fs.WalkDir(root.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished or unreadable: not the candidate's store
		}
		if seen++; seen > storeSearchEntries || len(found) >= maxStoresNamed {
			return errEnough
		}
		if d.IsDir() {
			if path != "." && (skippedForStores[d.Name()] || strings.Count(path, "/") >= storeSearchDepth) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && isSQLite(root, path) {
			found = append(found, path)
		}
		return nil
	})
	return found
}

func isSQLite(root *os.Root, path string) bool {
	f, err := root.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return bytes.Equal(head, sqliteMagic)
}
