package takehome

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// specFile is the file a bundle declares itself in.
const specFile = "takehome.yaml"

// Problem is one thing wrong with a bundle, at the place in takehome.yaml
// that says it (Line and Col are 0 for problems of the folder itself, a
// missing BRIEF.md say).
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.File + ": " + p.Message
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Message)
}

// LoadError lists every problem Load found, in file order; its message is
// one problem a line ("takehome.yaml:12:5: unknown key \"stauts\"").
type LoadError struct {
	Problems []Problem
}

func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// pos is where a node starts in takehome.yaml.
type pos struct{ line, col int }

func posOf(n ast.Node) pos {
	// A block map's token is its first colon: its first key says where it is.
	switch m := n.(type) {
	case *ast.MappingNode:
		if !m.IsFlowStyle && len(m.Values) > 0 {
			return posOf(m.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return posOf(m.Key)
	}
	if n == nil || n.GetToken() == nil {
		return pos{}
	}
	t := n.GetToken()
	return pos{t.Position.Line, t.Position.Column}
}

// posError is an error at a node, returned by the unmarshalers below so that
// decoding errors keep their place.
type posError struct {
	at  pos
	msg string
}

func (e *posError) Error() string { return e.msg }

func errAt(n ast.Node, format string, args ...any) error {
	return &posError{at: posOf(n), msg: fmt.Sprintf(format, args...)}
}

// problems collects what is wrong while a bundle loads.
type problems struct {
	list []Problem
}

func (ps *problems) add(at pos, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: specFile, Line: at.line, Col: at.col, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) file(name, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: name, Message: fmt.Sprintf(format, args...)})
}

// decodeErr records a decoding error with its place: ours carry it, the YAML
// library's carry their token.
func (ps *problems) decodeErr(fallback ast.Node, err error) {
	var pe *posError
	if errors.As(err, &pe) {
		ps.add(pe.at, "%s", pe.msg)
		return
	}
	var ye yaml.Error
	if errors.As(err, &ye) {
		at := posOf(fallback)
		if t := ye.GetToken(); t != nil {
			at = pos{t.Position.Line, t.Position.Column}
		}
		ps.add(at, "%s", yamlMessage(ye.GetMessage()))
		return
	}
	ps.add(posOf(fallback), "%v", err)
}

// yamlMessage words the YAML library's messages as the format's documentation does.
func yamlMessage(m string) string {
	if rest, ok := strings.CutPrefix(m, "unknown field "); ok {
		return "unknown key " + rest
	}
	return m
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		a, b := ps.list[i], ps.list[j]
		if a.File != b.File {
			return a.File == specFile
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return &LoadError{Problems: ps.list}
}
