package web

import (
	"bytes"
	"encoding/json"
	"strings"
)

// foldLines is how many lines of evidence show before the rest is folded.
const foldLines = 20

// evidenceText is a block of evidence ready for a <pre>: JSON indented,
// and folded (shown in a closed <details>) when it is long.
type evidenceText struct {
	Label  string // what the text is: "response body"
	Text   string
	Lines  int
	Folded bool
}

// prettyText indents s when it is JSON and says whether it is long enough to fold.
func prettyText(label, s string) evidenceText {
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(t), "", "  ") == nil {
			s = buf.String()
		}
	}
	lines := strings.Count(s, "\n") + 1
	return evidenceText{Label: label, Text: s, Lines: lines, Folded: lines > foldLines || len(s) > 80*foldLines}
}

// Request is the exchange's request body as the page shows it.
func (x exchange) Request() evidenceText { return prettyText("request body", x.RequestBody) }

// Response is the exchange's response body as the page shows it.
func (x exchange) Response() evidenceText { return prettyText("response body", x.ResponseBody) }

// Pretty is a block of evidence as the page shows it (under a heading of its own).
func (it evidenceItem) Pretty() evidenceText { return prettyText("", it.Block) }
