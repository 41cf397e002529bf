package web

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	md = goldmark.New(goldmark.WithExtensions(extension.GFM))
	// sanitiser keeps what user-generated Markdown may produce (headings,
	// lists, code, tables, links) and drops scripts, handlers and styles.
	sanitiser = bluemonday.UGCPolicy()
)

// markdown renders Markdown (a take-home's brief, a recruiter's
// instructions) to HTML and sanitises it; only then is it marked safe.
func markdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(sanitiser.SanitizeBytes(buf.Bytes()))
}
