package similarity

import (
	"errors"
	"fmt"
	"go/scanner"
	gotoken "go/token"
	"go/types"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const graders = "../../graders"

// readTree reads every file under dir, with paths relative to it.
func readTree(t testing.TB, dir string) []File {
	t.Helper()
	var files []File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, File{Path: filepath.ToSlash(rel), Content: string(content)})
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	return files
}

// disguise rewrites a Go file the way a candidate hiding a copy would: every
// identifier renamed, comments replaced, layout changed, and the top-level
// declarations in reverse order.
func disguise(t testing.TB, src string) string {
	t.Helper()
	fset := gotoken.NewFileSet()
	file := fset.AddFile("x.go", -1, len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), nil, scanner.ScanComments)
	names := map[string]string{}
	var out strings.Builder
	for {
		_, tok, lit := s.Scan()
		if tok == gotoken.EOF {
			break
		}
		switch {
		case tok == gotoken.COMMENT:
			continue
		case tok == gotoken.SEMICOLON && lit == "\n":
			out.WriteString("\n\n")
		case tok == gotoken.IDENT && types.Universe.Lookup(lit) != nil:
			// nil, string, len: renaming them would change what the code means.
			out.WriteString(lit + " ")
		case tok == gotoken.IDENT:
			if names[lit] == "" {
				names[lit] = fmt.Sprintf("renamed%dValue", len(names))
			}
			out.WriteString(names[lit] + "  ")
		case lit != "":
			out.WriteString(lit + " ")
		default:
			out.WriteString(tok.String() + " ")
		}
	}
	blocks := strings.Split(out.String(), "\n\nfunc ")
	for i, j := 1, len(blocks)-1; i < j; i, j = i+1, j-1 {
		blocks[i], blocks[j] = blocks[j], blocks[i]
	}
	return "// Written from scratch, honest.\n" + strings.Join(blocks, "\n\n// helper\nfunc ")
}

func disguiseAll(t testing.TB, files []File) []File {
	var out []File
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".go") {
			f.Content = disguise(t, f.Content)
			f.Path = "internal/" + f.Path
		}
		out = append(out, f)
	}
	return out
}

func mustAdd(t testing.TB, ix *Index, doc Document) []Match {
	t.Helper()
	matches, err := ix.Add(doc)
	if err != nil {
		t.Fatalf("add %s: %v", doc.ID, err)
	}
	return matches
}

func matchWith(matches []Match, id string) (Match, bool) {
	for _, m := range matches {
		if m.Other == id {
			return m, true
		}
	}
	return Match{}, false
}

var planets = Group{OrgID: "org-a", Takehome: "planets-crud"}
var shopping = Group{OrgID: "org-a", Takehome: "shopping-list"}

func TestDisguisedCopyStillMatches(t *testing.T) {
	original := readTree(t, graders+"/planets-crud/testdata/solutions/go")
	copied := disguiseAll(t, original)
	if copied[1].Content == original[1].Content {
		t.Fatal("disguise changed nothing")
	}
	ix := NewIndex(Options{})
	mustAdd(t, ix, Document{ID: "original", Group: planets, Files: original})
	matches := mustAdd(t, ix, Document{ID: "copy", Group: planets, Files: copied})
	m, ok := matchWith(matches, "original")
	if !ok {
		t.Fatalf("disguised copy not matched: %+v", matches)
	}
	t.Logf("disguised copy: similarity %.2f/%.2f, lines %d/%d, longest %+v",
		m.SimilarityNew, m.SimilarityOther, m.LinesNew, m.LinesOther, m.LongestFragment)
	if !m.Flags(DefaultThreshold) || min(m.SimilarityNew, m.SimilarityOther) < 0.7 {
		t.Errorf("disguised copy similarity %.2f/%.2f, want ≥ 0.7 on both sides and flagged", m.SimilarityNew, m.SimilarityOther)
	}
	if m.LinesOther < 200 {
		t.Errorf("lines covered in the original = %d, want most of its ~360 lines of Go", m.LinesOther)
	}
}

func TestIndependentSolutionsStayBelowThreshold(t *testing.T) {
	solutions := map[string]string{
		"shopping-go":         graders + "/shopping-list/testdata/solutions/go",
		"shopping-typescript": graders + "/shopping-list/testdata/solutions/typescript",
		"planets-go":          graders + "/planets-crud/testdata/solutions/go",
		"planets-node":        graders + "/planets-crud/testdata/solutions/node",
	}
	// Every solution in one group, so the two Go solutions (same language,
	// same stack, different authors' styles) are compared too: the hardest
	// case for false matches.
	group := Group{OrgID: "org-a", Takehome: "all"}
	ix := NewIndex(Options{})
	// The Go shopping-list solution ships the starter's data file.
	if err := ix.SetTemplate(group, readTree(t, graders+"/shopping-list/starter")); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"shopping-go", "shopping-typescript", "planets-go", "planets-node"} {
		for _, m := range mustAdd(t, ix, Document{ID: id, Group: group, Files: readTree(t, solutions[id])}) {
			t.Logf("%s vs %s: similarity %.3f (%d shared fingerprints), lines %d/%d",
				id, m.Other, m.Similarity, m.Shared, m.LinesNew, m.LinesOther)
			if m.Flags(DefaultThreshold) {
				t.Errorf("independent solutions %s and %s flagged at %.2f", id, m.Other, m.Similarity)
			}
		}
	}
}

func TestStarterAloneNeverFlags(t *testing.T) {
	starter := readTree(t, graders+"/shopping-list/starter")

	ix := NewIndex(Options{})
	if err := ix.SetTemplate(shopping, starter); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, ix, Document{ID: "first", Group: shopping, Files: starter})
	for _, m := range mustAdd(t, ix, Document{ID: "second", Group: shopping, Files: starter}) {
		if m.Similarity > 0.01 {
			t.Errorf("two starter-only submissions: similarity %.2f with the template subtracted", m.Similarity)
		}
	}

	// Control: without the template the same two submissions are identical,
	// so the subtraction is what keeps them apart.
	bare := NewIndex(Options{})
	mustAdd(t, bare, Document{ID: "first", Group: shopping, Files: starter})
	matches := mustAdd(t, bare, Document{ID: "second", Group: shopping, Files: starter})
	if m, ok := matchWith(matches, "first"); !ok || m.Similarity < 0.99 {
		t.Fatalf("control without template: want identical, got %+v", matches)
	}
}

func TestTemplateCodeDoesNotCountInASolution(t *testing.T) {
	starter := readTree(t, graders+"/shopping-list/starter")
	solution := readTree(t, graders+"/shopping-list/testdata/solutions/typescript")
	ix := NewIndex(Options{})
	if err := ix.SetTemplate(shopping, starter); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, ix, Document{ID: "solution", Group: shopping, Files: solution})
	for _, m := range mustAdd(t, ix, Document{ID: "starter-only", Group: shopping, Files: starter}) {
		if m.Similarity > 0.01 {
			t.Errorf("a starter-only submission matches a real solution at %.2f: the starter's data counted", m.Similarity)
		}
	}
}

func TestGroupsAreIsolated(t *testing.T) {
	solution := readTree(t, graders+"/planets-crud/testdata/solutions/go")
	ix := NewIndex(Options{})
	mustAdd(t, ix, Document{ID: "a", Group: planets, Files: solution})
	otherOrg := Group{OrgID: "org-b", Takehome: "planets-crud"}
	if matches := mustAdd(t, ix, Document{ID: "b", Group: otherOrg, Files: solution}); len(matches) != 0 {
		t.Errorf("another organisation's submission was compared: %+v", matches)
	}
	otherTakehome := Group{OrgID: "org-a", Takehome: "shopping-list"}
	if matches := mustAdd(t, ix, Document{ID: "c", Group: otherTakehome, Files: solution}); len(matches) != 0 {
		t.Errorf("another take-home's submission was compared: %+v", matches)
	}
	// Control: within the group the same files match.
	if matches := mustAdd(t, ix, Document{ID: "d", Group: planets, Files: solution}); len(matches) != 1 || matches[0].Other != "a" {
		t.Errorf("same group: want a match with a, got %+v", matches)
	}
}

func TestKnownSolutionFlagsACopy(t *testing.T) {
	public := readTree(t, graders+"/planets-crud/testdata/solutions/node")
	honest := readTree(t, graders+"/planets-crud/testdata/solutions/go")
	copied := append([]File(nil), public...)
	for i, f := range copied {
		if f.Path == "server.js" {
			copied[i].Content = strings.ReplaceAll(strings.ReplaceAll(f.Content, "planet", "world"), "  ", "\t")
		}
	}

	ix := NewIndex(Options{})
	mustAdd(t, ix, Document{ID: "github.com/someone/planets", Group: planets, Kind: KnownSolution, Files: public})
	if matches := mustAdd(t, ix, Document{ID: "honest", Group: planets, Files: honest}); len(matches) != 0 && matches[0].Flags(DefaultThreshold) {
		t.Errorf("an independent submission flagged against the known solution: %+v", matches[0])
	}
	matches := mustAdd(t, ix, Document{ID: "copier", Group: planets, Files: copied})
	m, ok := matchWith(matches, "github.com/someone/planets")
	if !ok || m.OtherKind != KnownSolution || !m.Flags(DefaultThreshold) {
		t.Fatalf("copy of a known solution not flagged: %+v", matches)
	}

	// A solution registered after the submissions finds the copies too.
	late := NewIndex(Options{})
	mustAdd(t, late, Document{ID: "copier", Group: planets, Files: copied})
	matches = mustAdd(t, late, Document{ID: "registered-later", Group: planets, Kind: KnownSolution, Files: public})
	if m, ok := matchWith(matches, "copier"); !ok || !m.Flags(DefaultThreshold) {
		t.Fatalf("known solution registered later does not flag the earlier copy: %+v", matches)
	}
}

func TestLongestFragmentLocatesTheCopiedFunction(t *testing.T) {
	source, err := os.ReadFile(graders + "/planets-crud/testdata/solutions/go/api.go")
	if err != nil {
		t.Fatal(err)
	}
	// readPlanet is lines 127–153 of api.go; the copier pastes it after 40
	// lines of their own code.
	lines := strings.Split(string(source), "\n")
	copiedFunction := strings.Join(lines[126:153], "\n")
	own, err := os.ReadFile(graders + "/shopping-list/testdata/solutions/go/main.go")
	if err != nil {
		t.Fatal(err)
	}
	ownLines := strings.Count(string(own), "\n")

	ix := NewIndex(Options{})
	mustAdd(t, ix, Document{ID: "author", Group: planets, Files: []File{{Path: "api.go", Content: string(source)}}})
	matches := mustAdd(t, ix, Document{ID: "copier", Group: planets, Files: []File{{Path: "cmd/main.go", Content: string(own) + copiedFunction}}})
	if len(matches) != 1 {
		t.Fatalf("want one match, got %+v", matches)
	}
	longest := matches[0].LongestFragment
	// A k-gram may begin a few lines early where the code before the
	// function happens to normalise alike ("return x, true }").
	if longest.Other.Path != "api.go" || longest.Other.StartLine < 120 || longest.Other.EndLine > 153 || longest.Other.EndLine-longest.Other.StartLine < 20 {
		t.Errorf("fragment in the original = %+v, want most of api.go:127-153", longest.Other)
	}
	if longest.New.Path != "cmd/main.go" || longest.New.StartLine < ownLines-5 || longest.New.EndLine-longest.New.StartLine < 20 {
		t.Errorf("fragment in the copy = %+v, want the function pasted after line %d of cmd/main.go", longest.New, ownLines)
	}
}

func TestWinnowingGuaranteesOneFingerprintPerWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	hashes := make([]uint64, 5000)
	for i := range hashes {
		hashes[i] = rng.Uint64N(64) // many ties, the hard case for winnowing
	}
	selected := winnow(hashes, DefaultWindow)
	chosen := map[int]bool{}
	for _, at := range selected {
		chosen[at] = true
	}
	for start := 0; start+DefaultWindow <= len(hashes); start++ {
		found := false
		for i := start; i < start+DefaultWindow; i++ {
			found = found || chosen[i]
		}
		if !found {
			t.Fatalf("window at %d has no fingerprint", start)
		}
	}
	if density := float64(len(selected)) / float64(len(hashes)); density > 0.2 {
		t.Errorf("density %.2f, want about 2/(w+1) = %.2f", density, 2.0/float64(DefaultWindow+1))
	}
}

func TestCommentsAndWhitespaceDoNotCount(t *testing.T) {
	plain := tokenize("a.ts", "const total = items.reduce((sum, item) => sum + item.quantity, 0);\n")
	noisy := tokenize("b.ts", "// sum them\nconst   grandTotal =\n\titems.reduce( (acc, it) => acc + it.quantity, /* start */ 42 ) ;\n")
	if len(plain) == 0 || len(plain) != len(noisy) {
		t.Fatalf("token counts differ: %d vs %d", len(plain), len(noisy))
	}
	for i := range plain {
		if plain[i].kind != noisy[i].kind {
			t.Fatalf("token %d differs", i)
		}
	}
	if noisy[len(noisy)-1].startLine != 3 {
		t.Errorf("last token on line %d, want 3", noisy[len(noisy)-1].startLine)
	}
}

func TestFilesThatAreNotCodeAreSkipped(t *testing.T) {
	for _, p := range []string{"package-lock.json", "data/planets.json", "node_modules/x/index.js", "README.md", "vendor/a/b.go", "app.min.js"} {
		if tokens := tokenize(p, strings.Repeat("{\"a\": [1, 2, 3], \"b\": \"c\"}\n", 50)); tokens != nil {
			t.Errorf("%s was fingerprinted", p)
		}
	}
	if tokens := tokenize("src/server.ts", "export function f(a: number) { return a + 1 }\n"); tokens == nil {
		t.Error("a TypeScript file was skipped")
	}
}

func TestBadInput(t *testing.T) {
	ix := NewIndex(Options{})
	if _, err := ix.Add(Document{Group: planets}); !errors.Is(err, ErrEmptyID) {
		t.Errorf("empty id: %v", err)
	}
	mustAdd(t, ix, Document{ID: "a", Group: planets})
	if _, err := ix.Add(Document{ID: "a", Group: planets}); !errors.Is(err, ErrDuplicateID) {
		t.Errorf("duplicate id: %v", err)
	}
	if err := ix.SetTemplate(planets, nil); !errors.Is(err, ErrTemplateLate) {
		t.Errorf("late template: %v", err)
	}
}
