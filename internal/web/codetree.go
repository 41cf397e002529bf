package web

import (
	"strings"

	"github.com/assayhq/assay/internal/store"
)

// codeDir is one folder of a snapshot's file tree, as the browser nests it.
type codeDir struct {
	Name  string
	Path  string
	Open  bool   // on the way to the file shown
	Link  string // a file's address is Link followed by its path
	Dirs  []*codeDir
	Files []store.CodeFileEntry
}

// Base is a file's name without its folder.
func (codeDir) Base(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// codeTree nests the index (sorted by path) into folders, opening those
// that hold the file shown.
func codeTree(index []store.CodeFileEntry, shown, link string) *codeDir {
	root := &codeDir{Open: true, Link: link}
	dirs := map[string]*codeDir{"": root}
	var dirOf func(p string) *codeDir
	dirOf = func(p string) *codeDir {
		if d, ok := dirs[p]; ok {
			return d
		}
		parentPath, name := "", p
		if i := strings.LastIndex(p, "/"); i >= 0 {
			parentPath, name = p[:i], p[i+1:]
		}
		parent := dirOf(parentPath)
		d := &codeDir{Name: name, Path: p, Open: strings.HasPrefix(shown, p+"/"), Link: link}
		parent.Dirs = append(parent.Dirs, d)
		dirs[p] = d
		return d
	}
	for _, f := range index {
		parent := ""
		if i := strings.LastIndex(f.Path, "/"); i >= 0 {
			parent = f.Path[:i]
		}
		d := dirOf(parent)
		d.Files = append(d.Files, f)
	}
	return root
}
