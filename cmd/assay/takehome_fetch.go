package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"

	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/rules"
)

// fetchBundle fetches a take-home bundle's repository the way the worker
// fetches a candidate's (gitfetch: the allowed hosts, netpolicy's addresses,
// size and time caps, git as nobody when the server runs as root) and zips
// its tree as an upload would be.
func fetchBundle(allowLoopback bool) rules.BundleFetcher {
	return func(ctx context.Context, repoURL, ref string) ([]byte, string, error) {
		dest, err := os.MkdirTemp("", "assay-takehome-")
		if err != nil {
			return nil, "", fmt.Errorf("fetch take-home: %w", err)
		}
		defer os.RemoveAll(dest)
		runAs := probeUser()
		if runAs != nil {
			// git runs as that user and writes the checkout.
			if err := os.Chown(dest, int(runAs.Uid), int(runAs.Gid)); err != nil {
				return nil, "", fmt.Errorf("fetch take-home: %w", err)
			}
		}
		res, err := gitfetch.Fetch(ctx, repoURL, ref, dest, gitfetch.Options{AllowLoopbackHTTP: allowLoopback, RunAs: runAs,
			MaxBytes: 4 * rules.MaxBundleBytes})
		if err != nil {
			return nil, "", err
		}
		z, err := zipTree(dest)
		if err != nil {
			return nil, "", err
		}
		return z, res.Commit, nil
	}
}

// zipTree zips the regular files of a checkout, leaving out .git and every
// link; it reads through os.Root, so nothing outside the checkout is read
// whatever the repository holds.
func zipTree(dir string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("zip checkout: %w", err)
	}
	defer root.Close()
	fsys := root.FS()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && name == ".git":
			return fs.SkipDir
		case !d.Type().IsRegular():
			return nil // folders are implied by their files; links are left out
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(info.Mode().Perm()) // a reference's ./start.sh stays executable
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		if buf.Len() > rules.MaxBundleBytes {
			return fmt.Errorf("the repository's files zip to more than the %d MiB a bundle may be", rules.MaxBundleBytes>>20)
		}
		return nil
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("zip checkout: %w", err)
	}
	return buf.Bytes(), nil
}
