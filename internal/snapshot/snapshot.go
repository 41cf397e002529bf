// Package snapshot keeps what a reviewer needs to read a graded checkout:
// its text files, within caps, with the list of what was left out and why,
// and the facts a reviewer scans first (languages, tests, dependencies,
// README). It is pure: it reads an fs.FS and returns values, so the grading
// engine, the store and the tests share one definition of what is kept.
package snapshot

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits bound a snapshot. The zero value takes the defaults.
type Limits struct {
	FileBytes  int64 // a larger file is skipped
	TotalBytes int64 // files past this total are skipped
	Files      int   // files past this count are skipped
}

// Default caps: enough for any take-home's own code, small enough that a
// snapshot stays a modest row beside its run.
const (
	DefaultFileBytes  = 256 << 10
	DefaultTotalBytes = 8 << 20
	DefaultFiles      = 3000
)

func (l Limits) withDefaults() Limits {
	if l.FileBytes <= 0 {
		l.FileBytes = DefaultFileBytes
	}
	if l.TotalBytes <= 0 {
		l.TotalBytes = DefaultTotalBytes
	}
	if l.Files <= 0 {
		l.Files = DefaultFiles
	}
	return l
}

// Why a path was left out.
const (
	SkipVendored = "vendored or generated folder"
	SkipBinary   = "binary (not UTF-8 text)"
	SkipTooLarge = "larger than the per-file cap"
	SkipTotalCap = "past the snapshot's total cap"
	SkipSpecial  = "not a regular file (symlink, device or socket)"
	SkipUnread   = "could not be read"
)

// skippedFolders are dependency, build and tool folders: not the candidate's
// writing, and often larger than everything else together.
var skippedFolders = map[string]bool{
	"node_modules": true, "vendor": true, "dist": true, "build": true,
	".venv": true, "venv": true, "__pycache__": true, ".pytest_cache": true, ".mypy_cache": true,
	".tox": true, "coverage": true, ".nyc_output": true, "target": true, ".next": true, ".cache": true,
	".idea": true, ".gradle": true,
}

// File is one kept text file.
type File struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// Skipped is one path left out, with the reason.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Snapshot is a checkout's text files and what is known about them.
type Snapshot struct {
	Files   []File    `json:"files"` // sorted by path
	Skipped []Skipped `json:"skipped"`
	History History   `json:"history"`
}

// History is what the grader knows of the commit history. The checkout is
// shallow (the graded commit only), so Commits counts the commits seen, and
// Complete says whether that is the whole history.
type History struct {
	Commit   string    `json:"commit"`
	Commits  int       `json:"commits"`
	Authors  int       `json:"authors"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
	Complete bool      `json:"complete"`
	// LargestShare is the largest commit's share of the lines added, known
	// only when the history is complete (0 otherwise).
	LargestShare float64 `json:"largest_share,omitempty"`
}

// Take reads every regular file of fsys into a snapshot within limits.
// Unreadable entries are listed as skipped, never fatal: a hostile tree
// must not cost the reviewer the rest of the code.
func Take(fsys fs.FS, l Limits) (*Snapshot, error) {
	l = l.withDefaults()
	s := &Snapshot{Files: []File{}, Skipped: []Skipped{}}
	var total int64
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			s.skip(p, SkipUnread)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == "." {
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return fs.SkipDir // git's own data: not part of the code, not worth listing
			}
			if skippedFolders[d.Name()] {
				s.skip(p+"/", SkipVendored)
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			s.skip(p, SkipSpecial)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			s.skip(p, SkipUnread)
			return nil
		}
		switch {
		case info.Size() > l.FileBytes:
			s.skip(p, SkipTooLarge)
			return nil
		case total+info.Size() > l.TotalBytes || len(s.Files) >= l.Files:
			s.skip(p, SkipTotalCap)
			return nil
		}
		content, err := readCapped(fsys, p, l.FileBytes)
		switch {
		case errors.Is(err, errTooLarge):
			s.skip(p, SkipTooLarge)
		case err != nil:
			s.skip(p, SkipUnread)
		case !IsText(content):
			s.skip(p, SkipBinary)
		default:
			total += int64(len(content))
			s.Files = append(s.Files, File{Path: p, Content: string(content)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	sort.Slice(s.Files, func(i, j int) bool { return s.Files[i].Path < s.Files[j].Path })
	return s, nil
}

var errTooLarge = errors.New("file grew past the cap")

// readCapped reads at most limit bytes: the size seen when walking may have
// changed since.
func readCapped(fsys fs.FS, p string, limit int64) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, nil
}

// IsText says whether b reads as text: valid UTF-8 without NUL bytes.
func IsText(b []byte) bool {
	return utf8.Valid(b) && !strings.ContainsRune(string(b), 0)
}

func (s *Snapshot) skip(p, reason string) {
	s.Skipped = append(s.Skipped, Skipped{Path: p, Reason: reason})
}

// File returns the kept file at p, or nil.
func (s *Snapshot) File(p string) *File {
	i := sort.Search(len(s.Files), func(i int) bool { return s.Files[i].Path >= p })
	if i < len(s.Files) && s.Files[i].Path == p {
		return &s.Files[i]
	}
	return nil
}

// Largest returns the kept file with the most bytes, or nil.
func (s *Snapshot) Largest() *File {
	var best *File
	for i := range s.Files {
		if best == nil || len(s.Files[i].Content) > len(best.Content) {
			best = &s.Files[i]
		}
	}
	return best
}

// CleanPath makes a requested path comparable with the kept ones: slash
// separated, relative, no dot segments. It answers "" for a path that
// cannot name a kept file.
func CleanPath(p string) string {
	p = path.Clean(strings.TrimPrefix(p, "/"))
	if p == "." || !fs.ValidPath(p) {
		return ""
	}
	return p
}
