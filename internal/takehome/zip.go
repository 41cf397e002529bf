package takehome

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"testing/fstest"
)

// Bounds of an uploaded bundle: a take-home is text and a few small files.
const (
	MaxZipBytes      = 32 << 20  // the upload itself
	maxZipEntries    = 5000      // files and folders
	maxUnpackedBytes = 128 << 20 // everything, unpacked
	maxUnpackedEntry = 32 << 20  // one file, unpacked
)

// LoadZip reads an uploaded bundle: a zip holding takehome.yaml at its root
// or in its only top folder. It refuses archives above the size and entry
// limits, entries whose names leave the bundle, and links. The bundle is
// unpacked in memory; the returned fs.FS is its root, for Check.
func LoadZip(r io.ReaderAt, size int64) (*Bundle, fs.FS, error) {
	if size > MaxZipBytes {
		return nil, nil, fmt.Errorf("the zip is %d MiB; the limit is %d MiB", size>>20, MaxZipBytes>>20)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, nil, fmt.Errorf("not a readable zip: %w", err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, nil, fmt.Errorf("the zip holds %d entries; the limit is %d", len(zr.File), maxZipEntries)
	}
	// The bundle is held in memory as an fstest.MapFS: a plain map-backed
	// fs.FS (the package imports no testing machinery).
	files := fstest.MapFS{}
	var total int64
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, "/")
		if strings.Contains(f.Name, `\`) || !fs.ValidPath(name) || path.Clean(name) != name {
			return nil, nil, fmt.Errorf("zip entry %q: a path inside the bundle, without .., a leading / or backslashes", f.Name)
		}
		if macJunk(name) {
			continue
		}
		mode := f.Mode()
		switch {
		case mode.IsDir():
			files[name] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
			continue
		case !mode.IsRegular():
			return nil, nil, fmt.Errorf("zip entry %q is not a regular file (links are not allowed)", f.Name)
		}
		data, err := readEntry(f, maxUnpackedBytes-total)
		if err != nil {
			return nil, nil, err
		}
		total += int64(len(data))
		files[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	root, err := bundleRoot(files)
	if err != nil {
		return nil, nil, err
	}
	b, err := Load(root)
	if err != nil {
		return nil, nil, err
	}
	return b, root, nil
}

// macJunk is what macOS's Compress adds beside a folder: not the bundle's.
func macJunk(name string) bool {
	return name == "__MACOSX" || strings.HasPrefix(name, "__MACOSX/") || path.Base(name) == ".DS_Store"
}

// readEntry unpacks one file, refusing it past the limits whatever its
// header claims.
func readEntry(f *zip.File, left int64) ([]byte, error) {
	limit := min(int64(maxUnpackedEntry), left)
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("zip entry %q: %w", f.Name, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("zip entry %q: %w", f.Name, err)
	}
	if n > limit {
		return nil, fmt.Errorf("zip entry %q unpacks past the limit (%d MiB a file, %d MiB in all)", f.Name, maxUnpackedEntry>>20, maxUnpackedBytes>>20)
	}
	return buf.Bytes(), nil
}

// bundleRoot is the folder holding takehome.yaml: the archive's root, or
// its only top folder (what zipping a folder gives).
func bundleRoot(files fstest.MapFS) (fs.FS, error) {
	if _, ok := files[specFile]; ok {
		return files, nil
	}
	tops := map[string]bool{}
	for name := range files {
		top, _, _ := strings.Cut(name, "/")
		tops[top] = true
	}
	if len(tops) == 1 {
		for top := range tops {
			if _, ok := files[top+"/"+specFile]; ok {
				return fs.Sub(files, top)
			}
		}
	}
	return nil, fmt.Errorf("no %s at the zip's root or in its only top folder", specFile)
}
