package web

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// codeStyle is the highlighting theme; its stylesheet is served as
// /code.css, since the pages' CSP allows no inline style.
const codeStyle = "github"

// maxHighlightBytes is the largest file highlighted: chroma's lexers take
// about 2.5 ms per KiB, so a larger file (generated tables, a bundled
// asset) is shown as plain text, as code hosts do.
const maxHighlightBytes = 64 << 10

// codeLine is one highlighted line of a file, its spans already escaped.
type codeLine struct {
	N    int
	HTML template.HTML
}

// highlight tokenises content with the lexer chroma picks for path (plain
// text when none fits or the file is over maxHighlightBytes) and returns it
// line by line. Every token's text is
// escaped here, and only chroma's own class names are written around it:
// a candidate's file can add text to the page, never markup.
func highlight(path, content string) ([]codeLine, error) {
	lexer := lexers.Match(path)
	if lexer == nil || len(content) > maxHighlightBytes {
		lexer = lexers.Fallback
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, content)
	if err != nil {
		return nil, fmt.Errorf("highlight %s: %w", path, err)
	}
	lines := chroma.SplitTokensIntoLines(it.Tokens())
	out := make([]codeLine, 0, len(lines))
	var b strings.Builder
	for i, line := range lines {
		b.Reset()
		for _, tok := range line {
			text := html.EscapeString(strings.TrimSuffix(tok.Value, "\n"))
			if text == "" {
				continue
			}
			if cls := tokenClass(tok.Type); cls != "" {
				b.WriteString(`<span class="` + cls + `">` + text + `</span>`)
			} else {
				b.WriteString(text)
			}
		}
		out = append(out, codeLine{N: i + 1, HTML: template.HTML(b.String())})
	}
	return out, nil
}

// tokenClass is the class chroma's HTML formatter gives a token type: the
// type's own short name or its nearest parent's.
func tokenClass(t chroma.TokenType) string {
	for ; t != 0; t = t.Parent() {
		if cls, ok := chroma.StandardTypes[t]; ok {
			return cls
		}
	}
	return chroma.StandardTypes[t]
}

// codeCSS is the stylesheet of the highlighting classes, made once.
func codeCSS() ([]byte, error) {
	var buf bytes.Buffer
	f := chromahtml.New(chromahtml.WithClasses(true))
	if err := f.WriteCSS(&buf, styles.Get(codeStyle)); err != nil {
		return nil, fmt.Errorf("code stylesheet: %w", err)
	}
	return buf.Bytes(), nil
}
