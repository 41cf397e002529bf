package shoppinglist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// dataDir is where the brief tells candidates to keep the data files.
const dataDir = "app/data"

// writeData replaces app/data/data.ts and app/data/data.json in the checkout
// with lists. Every access goes through root, so a symlink in the candidate's
// tree (app/data itself, or the files) can never make the grader write outside
// the checkout: os.Root refuses, and the run fails with a reason.
func writeData(root *os.Root, lists []List) error {
	if err := root.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("create %s in the repository (it must be a plain directory, not a link out of the repository): %w", dataDir, err)
	}
	files := []struct {
		name string
		body []byte
	}{
		{dataDir + "/data.ts", encodeTS(lists)},
		{dataDir + "/data.json", encodeJSON(lists)},
	}
	for _, f := range files {
		// Remove first: Remove does not follow a final symlink, so a data file
		// that is a link is replaced by a plain file rather than written through.
		if err := root.Remove(f.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("replace %s: %w", f.name, err)
		}
		if err := root.WriteFile(f.name, f.body, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	return nil
}
