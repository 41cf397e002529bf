package web

import (
	"io/fs"
	"sort"
	"strings"

	"github.com/assayhq/assay/internal/snapshot"
	"github.com/pmezard/go-difflib/difflib"
)

// diffContext is how many unchanged lines surround each change.
const diffContext = 3

// fileDiff is how one file differs from the starter kit's.
type fileDiff struct {
	Path   string
	Status string // added, removed, changed
	Hunks  []diffHunk
}

// diffHunk is a run of changes with their context, numbered on both sides.
type diffHunk struct{ Lines []diffLine }

type diffLine struct {
	Op       string // " ", "+", "-"
	Old, New int    // line numbers; 0 where the line is absent on that side
	Text     string
}

// starterDiff compares the kept files with the starter kit's, both read by
// the snapshot's rules (so a kit's binary is skipped alike). Added files are
// listed without their text: the browser shows them.
func starterDiff(starter fs.FS, files []snapshot.File) ([]fileDiff, error) {
	kit, err := snapshot.Take(starter, snapshot.Limits{})
	if err != nil {
		return nil, err
	}
	theirs := map[string]string{}
	for _, f := range files {
		theirs[f.Path] = f.Content
	}
	var out []fileDiff
	for _, f := range kit.Files {
		now, ok := theirs[f.Path]
		switch {
		case !ok:
			out = append(out, fileDiff{Path: f.Path, Status: "removed"})
		case now != f.Content:
			out = append(out, fileDiff{Path: f.Path, Status: "changed", Hunks: hunks(f.Content, now)})
		}
		delete(theirs, f.Path)
	}
	for p := range theirs {
		out = append(out, fileDiff{Path: p, Status: "added"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// hunks is the line diff of a and b, grouped as a unified diff groups it.
func hunks(a, b string) []diffHunk {
	al, bl := splitLines(a), splitLines(b)
	m := difflib.NewMatcher(al, bl)
	var out []diffHunk
	for _, group := range m.GetGroupedOpCodes(diffContext) {
		var h diffHunk
		for _, op := range group {
			switch op.Tag {
			case 'e':
				for k := 0; k < op.I2-op.I1; k++ {
					h.Lines = append(h.Lines, diffLine{Op: " ", Old: op.I1 + k + 1, New: op.J1 + k + 1, Text: trimNL(al[op.I1+k])})
				}
			default: // r, d, i: the old lines go, the new ones come
				for i := op.I1; i < op.I2; i++ {
					h.Lines = append(h.Lines, diffLine{Op: "-", Old: i + 1, Text: trimNL(al[i])})
				}
				for j := op.J1; j < op.J2; j++ {
					h.Lines = append(h.Lines, diffLine{Op: "+", New: j + 1, Text: trimNL(bl[j])})
				}
			}
		}
		out = append(out, h)
	}
	return out
}

func trimNL(s string) string { return strings.TrimSuffix(s, "\n") }

// splitLines splits s into its lines as an editor numbers them (difflib's
// own SplitLines adds an empty line after a final newline).
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
