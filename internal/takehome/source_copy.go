package takehome

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CopyTo writes a bundle folder source into dest (which need not exist):
// Over's files first, then Dir's, replacing any of the same name. A
// repository source has nothing to copy; the engine fetches it.
func (s Source) CopyTo(bundleFS fs.FS, dest string) error {
	if s.Dir == "" {
		return fmt.Errorf("solution %s is a repository, not a folder of the bundle", s)
	}
	for _, dir := range []string{s.Over, s.Dir} {
		if dir == "" {
			continue
		}
		if err := copyFolder(bundleFS, dir, dest); err != nil {
			return fmt.Errorf("copy solution %s: %w", s, err)
		}
	}
	return nil
}

// copyFolder copies the regular files under dir of fsys into dest, keeping
// only their executable bit (a Procfile's ./start.sh stays runnable).
func copyFolder(fsys fs.FS, dir, dest string) error {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return err
	}
	return fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dest, filepath.FromSlash(name))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil // links are not part of a bundle (LoadZip refuses them)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := fs.ReadFile(sub, name)
		if err != nil {
			return err
		}
		perm := fs.FileMode(0o644)
		if info.Mode()&0o111 != 0 {
			perm = 0o755
		}
		return os.WriteFile(target, data, perm)
	})
}
