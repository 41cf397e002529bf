package similarity

import (
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2/lexers"
)

// agreementSources are real sources in every fast language: the graders'
// reference solutions, starters and checks (Go, JavaScript, TypeScript), the
// web client, the platform's migrations (SQL) and, for the languages the
// repository has none of, take-home-like samples in testdata/scan.
func agreementSources(t *testing.T) []File {
	t.Helper()
	var files []File
	for _, dir := range []string{graders, "../../migrations", "../../web/static", "testdata/scan"} {
		for _, f := range readTree(t, dir) {
			f.Path = path.Join(dir, f.Path)
			if fastLanguages[path.Ext(f.Path)] != nil && !skipped(f.Path, len(f.Content)) {
				files = append(files, f)
			}
		}
	}
	return files
}

// commonTokens is the length of the longest common subsequence of two token
// streams' kinds: how many tokens both lexers read alike, in order.
func commonTokens(a, b []token) int {
	previous, current := make([]int32, len(b)+1), make([]int32, len(b)+1)
	for i := range a {
		for j := range b {
			switch {
			case a[i].kind == b[j].kind:
				current[j+1] = previous[j] + 1
			case previous[j+1] >= current[j]:
				current[j+1] = previous[j+1]
			default:
				current[j+1] = current[j]
			}
		}
		previous, current = current, previous
	}
	return int(previous[len(b)])
}

// sameLines counts the tokens of a that b has too, of the same kind and on the
// same line.
func sameLines(a, b []token) int {
	type at struct {
		kind uint64
		line int32
	}
	seen := map[at]int{}
	for _, t := range b {
		seen[at{t.kind, t.startLine}]++
	}
	same := 0
	for _, t := range a {
		if k := (at{t.kind, t.startLine}); seen[k] > 0 {
			seen[k]--
			same++
		}
	}
	return same
}

func fingerprintSet(tokens []token) map[uint64]bool {
	set := map[uint64]bool{}
	if len(tokens) < DefaultKGram {
		return set
	}
	hashes := kgramHashes(tokens, DefaultKGram)
	for _, at := range winnow(hashes, DefaultWindow) {
		set[hashes[at]] = true
	}
	return set
}

// TestScannerAgreesWithChroma reads every source both ways. The fast scanner
// must read nearly every token as chroma does, on the same line, and for Go,
// JavaScript and SQL keep nearly the same fingerprints. Where they differ,
// chroma is the odd one: it reads 0o644 and 1L as a number and a name,
// DATABASE_URL as two names, NULLS as NULL and S, keeps TypeScript's type
// names and Java's 0.0 as written, and lexes Go templates inside raw strings
// and Python's f-string expressions as code (the scanner keeps them strings).
func TestScannerAgreesWithChroma(t *testing.T) {
	type tally struct{ files, fast, chroma, common, sameLine, sharedPrints, unionPrints int }
	byLanguage := map[string]*tally{}
	for _, f := range agreementSources(t) {
		lang := fastLanguages[path.Ext(f.Path)]
		fast := scanTokens(lang, f.Content)
		slow := chromaTokens(lexers.Match(path.Base(f.Path)), f.Content)
		n := byLanguage[lang.name]
		if n == nil {
			n = &tally{}
			byLanguage[lang.name] = n
		}
		n.files++
		n.fast += len(fast)
		n.chroma += len(slow)
		n.common += commonTokens(fast, slow)
		n.sameLine += sameLines(fast, slow)
		fastPrints, slowPrints := fingerprintSet(fast), fingerprintSet(slow)
		for h := range fastPrints {
			if slowPrints[h] {
				n.sharedPrints++
			}
		}
		n.unionPrints += len(fastPrints) + len(slowPrints)
	}
	for _, name := range []string{"Go", "JavaScript", "TypeScript", "Python", "Java", "C#", "SQL"} {
		n := byLanguage[name]
		if n == nil || n.files == 0 {
			t.Errorf("%s: no source to compare", name)
			continue
		}
		n.unionPrints -= n.sharedPrints
		tokens := float64(n.common) / float64(max(n.fast, n.chroma))
		lines := float64(n.sameLine) / float64(n.fast)
		jaccard := float64(n.sharedPrints) / float64(n.unionPrints)
		t.Logf("%-10s %3d files, tokens %6d fast / %6d chroma: %.3f read alike, %.3f on the same line, fingerprint Jaccard %.3f",
			name, n.files, n.fast, n.chroma, tokens, lines, jaccard)
		if tokens < 0.9 {
			t.Errorf("%s: %.3f of the tokens read alike, want ≥ 0.9", name, tokens)
		}
		if lines < 0.9 {
			t.Errorf("%s: %.3f of the tokens on the same line as chroma's, want ≥ 0.9", name, lines)
		}
		if (name == "Go" || name == "JavaScript" || name == "SQL") && jaccard < 0.9 {
			t.Errorf("%s: fingerprint Jaccard %.3f, want ≥ 0.9", name, jaccard)
		}
	}
}

// TestScannerLinePositions checks the lines of the literals the scanner reads
// itself: a token spanning lines starts on its first and ends on its last,
// and what follows is on the right line.
func TestScannerLinePositions(t *testing.T) {
	const str, num, name = stringToken, numberToken, nameToken
	type want struct {
		token      int // index among the file's tokens
		text       string
		start, end int32
	}
	cases := []struct {
		path, source string
		count        int
		want         []want
	}{
		{"a.js", "const a = `one\ntwo ${b +\n c} three\nfour`; // done\nlet r = /[/]x\\//g.test(a) / 2\n",
			// const a = `…${ b + c }…` ; let r = /…/g . test ( a ) / 2
			20, []want{{3, str, 1, 2}, {4, name, 2, 2}, {6, name, 3, 3}, {7, str, 3, 4}, {8, ";", 4, 4},
				{12, str, 5, 5}, {18, "/", 5, 5}, {19, num, 5, 5}}},
		{"a.tsx", "const x = <div className=\"a\">{name}</div>;\nlet y = 1;\n",
			// const x = < div className = "…" > { name } < / div > ; let y = 1 ;
			22, []want{{13, "/", 1, 1}, {14, name, 1, 1}, {16, ";", 1, 1}, {17, "let", 2, 2}}},
		{"a.py", "def f():\n    '''doc\n    string'''\n    return f\"{x}\" + r'\\d' # note\n",
			// def f ( ) : '''…''' return f"…" + r'…'
			10, []want{{5, str, 2, 3}, {6, "return", 4, 4}, {7, str, 4, 4}, {9, str, 4, 4}}},
		{"A.java", "import java.util.List;\nclass A {\n  String s = \"\"\"\n    text\n    \"\"\";\n  long n = 1L;\n}\n",
			// import java.util.List ; class A { String s = """…""" ; long n = 1L ; }
			17, []want{{1, name, 1, 1}, {9, str, 3, 5}, {10, ";", 5, 5}, {14, num, 6, 6}}},
		{"A.cs", "#region x\nvar p = @\"C:\\dir\\\";\nvar q = $\"{p}\\\"\";\n#endregion\n",
			// var p = @"…" ; var q = $"…" ;
			10, []want{{3, str, 2, 2}, {4, ";", 2, 2}, {8, str, 3, 3}, {9, ";", 3, 3}}},
		{"a.sql", "-- schema\nCREATE TABLE t (\n  note text DEFAULT 'it''s\nfine' # mysql comment\n);\n",
			// CREATE TABLE t ( note text DEFAULT '…' ) ;
			10, []want{{0, "CREATE", 2, 2}, {7, str, 3, 4}, {8, ")", 5, 5}}},
		{"a.go", "package a\n\nvar s = `raw\n\\` + \"x\" // c\n/* block\n */ var r = 'x'\n",
			// package a var s = `…` + "…" var r = '…'
			12, []want{{5, str, 3, 4}, {6, "+", 4, 4}, {7, str, 4, 4}, {8, "var", 6, 6}, {11, str, 6, 6}}},
	}
	for _, c := range cases {
		tokens := scanTokens(fastLanguages[path.Ext(c.path)], c.source)
		if len(tokens) != c.count {
			t.Errorf("%s: %d tokens, want %d: %+v", c.path, len(tokens), c.count, tokens)
			continue
		}
		for _, w := range c.want {
			got := tokens[w.token]
			if got.kind != tokenKind(w.text) || got.startLine != w.start || got.endLine != w.end {
				t.Errorf("%s: token %d is %x on lines %d–%d, want %q (%x) on %d–%d",
					c.path, w.token, got.kind, got.startLine, got.endLine, w.text, tokenKind(w.text), w.start, w.end)
			}
		}
	}
}

// TestRenamedCopiesMatchInPythonJavaAndCSharp: the languages the graders'
// solutions do not cover get the disguise test too: names renamed, comments
// removed, blank lines added.
func TestRenamedCopiesMatchInPythonJavaAndCSharp(t *testing.T) {
	renames := map[string][]string{
		"inventory.py":      {"Inventory", "Store", "Item", "Product", "sku", "code", "name", "label", "quantity", "count", "_items", "_stock", "amount", "delta", "lines", "rows", "threshold", "limit"},
		"Orders.java":       {"Orders", "Basket", "Order", "Purchase", "orders", "purchases", "Line", "Entry", "lines", "entries", "customer", "buyer", "nextId", "counter", "sum", "acc", "out", "sb"},
		"TodoController.cs": {"TodoController", "TaskService", "TodoItem", "TaskEntry", "_items", "_tasks", "_nextId", "_counter", "Title", "Name", "Done", "Finished", "item", "t", "query", "q"},
	}
	comment := regexp.MustCompile(`(?m)(#|//) .*$`)
	for file, pairs := range renames {
		content, err := os.ReadFile(filepath.Join("testdata/scan", file))
		if err != nil {
			t.Fatal(err)
		}
		copied := comment.ReplaceAllString(string(content), "")
		for i := 0; i < len(pairs); i += 2 {
			copied = regexp.MustCompile(`\b`+pairs[i]+`\b`).ReplaceAllString(copied, pairs[i+1])
		}
		copied = strings.ReplaceAll(copied, "\n\n", "\n\n\n")
		if copied == string(content) {
			t.Fatalf("%s: the disguise changed nothing", file)
		}
		ix := NewIndex(Options{})
		mustAdd(t, ix, Document{ID: "original", Group: planets, Files: []File{{Path: file, Content: string(content)}}})
		matches := mustAdd(t, ix, Document{ID: "copy", Group: planets, Files: []File{{Path: "src/" + file, Content: copied}}})
		if len(matches) != 1 || !matches[0].Flags(DefaultThreshold) || min(matches[0].SimilarityNew, matches[0].SimilarityOther) < 0.9 {
			t.Errorf("%s: renamed copy %+v, want flagged with similarity ≥ 0.9 both ways", file, matches)
		}
	}
}

// TestScannerSurvivesBrokenSources cuts real sources at random places (open
// strings, comments, templates, regular expressions) and shuffles their
// lines: every language must still end, with tokens in order and on lines
// the file has.
func TestScannerSurvivesBrokenSources(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sources := agreementSources(t)
	for round := range 400 {
		f := sources[rng.IntN(len(sources))]
		content := f.Content[:rng.IntN(len(f.Content)+1)]
		if round%2 == 1 {
			lines := strings.Split(f.Content, "\n")
			rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
			content = strings.Join(lines[:rng.IntN(len(lines)+1)], "\n")
		}
		for ext, lang := range fastLanguages {
			lines := int32(strings.Count(content, "\n") + 1)
			previous := int32(1)
			for i, tok := range scanTokens(lang, content) {
				if tok.startLine < previous || tok.endLine < tok.startLine || tok.endLine > lines {
					t.Fatalf("%s read as %s: token %d on lines %d–%d after line %d, file of %d lines",
						f.Path, ext, i, tok.startLine, tok.endLine, previous, lines)
				}
				previous = tok.startLine
			}
		}
	}
}
