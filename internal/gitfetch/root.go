package gitfetch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// WriteFile writes data to rel (slash-separated) inside the checkout root,
// creating parent directories. The checkout is the candidate's data: os.Root
// refuses any path that leads outside root, through "..", an absolute
// symlink or a chain of them, and a symlink at rel itself is replaced by a
// regular file rather than written through. Read the checkout through
// os.Root as well (root.ReadFile, root.Open).
func WriteFile(root *os.Root, rel string, data []byte) error {
	name := filepath.FromSlash(rel)
	if dir := path.Dir(rel); dir != "." {
		if err := root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
			return fmt.Errorf("write %s in checkout: %w", rel, err)
		}
	}
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write %s in checkout: replace: %w", rel, err)
	}
	if err := root.WriteFile(name, data, 0o644); err != nil {
		return fmt.Errorf("write %s in checkout: %w", rel, err)
	}
	return nil
}
