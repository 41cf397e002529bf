package similarity

import (
	"strings"
	"text/scanner"
	"unicode"
)

// scanTokens reads one file of a fast language (see fastLanguages) with the
// standard library's text/scanner, which handles identifiers, numbers,
// C-style comments and line positions, plus the quoting and comment rules it
// does not know (Python's # and triple quotes, JavaScript's template and
// regular-expression literals, C#'s verbatim strings, SQL's -- and ”). The
// tokens are normalised as tokenize does with chroma's: comments and
// whitespace dropped, every name one kind, every string one, every number
// one; keywords, operators and punctuation as written.
func scanTokens(lang *language, content string) []token {
	r := tokenScanner{lang: lang}
	r.s.Init(strings.NewReader(content))
	r.s.Mode = scanner.ScanIdents | scanner.ScanFloats
	if lang.slashComments {
		r.s.Mode |= scanner.ScanComments | scanner.SkipComments
	}
	r.s.IsIdentRune = lang.identRune
	// Unterminated literals and stray characters are the candidate's problem,
	// not ours: keep going.
	r.s.Error = func(*scanner.Scanner, string) {}
	r.list.tokens = make([]token, 0, len(content)/4)
	if strings.HasPrefix(content, "#!") {
		r.skipLine()
	}
	r.scan()
	return r.list.tokens
}

type tokenScanner struct {
	s    scanner.Scanner
	lang *language
	list tokenList
	// templates holds, for each JavaScript template literal whose ${…} is
	// being read, the depth of braces opened inside it.
	templates []int
	// operand: the previous token ends an operand (a name, a literal, a value
	// keyword such as this, or ")", "]", "}"), so a "/" after it divides
	// rather than starting a regular expression.
	operand bool
}

func (r *tokenScanner) scan() {
	lang := r.lang
	for {
		ch := r.s.Scan()
		if ch == scanner.EOF {
			return
		}
		start := int32(r.s.Position.Line)
		switch {
		case ch == scanner.Ident:
			r.word(start)
		case ch == scanner.Int || ch == scanner.Float:
			// Suffixes (10L, 1.5f, 10n, 2j) belong to the number.
			for unicode.IsLetter(r.s.Peek()) {
				r.s.Next()
			}
			r.emit(numberToken, start, true)
		case strings.ContainsRune(lang.quotes, ch):
			r.quoted(ch, start)
		case ch == '#' && (lang.hashComments || lang.verbatimStrings):
			// Python comments; C#'s #region, #if…: directives, not code a
			// candidate writes.
			r.skipLine()
		case ch == '-' && lang.dashComments && r.s.Peek() == '-':
			r.skipLine()
		case ch == '@' && lang.verbatimStrings && r.s.Peek() == '"':
			r.s.Next()
			r.until('"', false, true, true)
			r.emit(stringToken, start, true)
		case ch == '$' && lang.verbatimStrings && (r.s.Peek() == '"' || r.s.Peek() == '@'):
			// $"…{x}…" and $@"…": the string that follows is the token.
		case ch == '@' && (lang.annotations || lang.verbatimStrings) && lang.identRune(r.s.Peek(), 0):
			// @Override, @app.get, @class: the name that follows is the token.
		case ch == '/' && lang.regexLiterals && !r.operand && r.list.previous != "<":
			// (After "<" it is a JSX closing tag, </div>.)
			r.regex()
			r.emit(stringToken, start, true)
		case ch == '{' && len(r.templates) > 0:
			r.templates[len(r.templates)-1]++
			r.emit("{", start, false)
		case ch == '}' && len(r.templates) > 0 && r.templates[len(r.templates)-1] == 0:
			// The end of a ${…}: the template literal goes on.
			r.templates = r.templates[:len(r.templates)-1]
			r.template(start)
		case ch == '}' && len(r.templates) > 0:
			r.templates[len(r.templates)-1]--
			r.emit("}", start, true)
		default:
			r.operator(ch, start)
		}
	}
}

// word emits an identifier: a keyword as written, anything else a name.
func (r *tokenScanner) word(start int32) {
	text := r.s.TokenText()
	lang := r.lang
	if lang.stringPrefixes && len(text) <= 2 && (r.s.Peek() == '"' || r.s.Peek() == '\'') && isStringPrefix(text) {
		r.quoted(r.s.Next(), start)
		return
	}
	keyword := lang.keywords[text]
	if lang.keywordsIgnoreCase && !keyword {
		keyword = lang.keywords[strings.ToLower(text)]
	}
	if keyword && lang.typesUnlessCalled[text] && r.s.Peek() == '(' {
		keyword = false
	}
	if !keyword {
		r.emit(nameToken, start, true)
		return
	}
	if lang.namespaceKeywords[text] {
		r.emit(text, start, false)
		r.dottedName()
		return
	}
	// After a keyword (return, typeof, case…) a "/" starts a regular
	// expression, except after the ones that are values.
	r.emit(text, start, text == "this" || text == "super" || text == "true" || text == "false" ||
		text == "null" || text == "undefined" || text == "NaN" || text == "Infinity")
}

// dottedName reads the name after package, import, using or namespace
// (java.util.List, System.Collections.Generic, java.util.*) as one name.
func (r *tokenScanner) dottedName() {
	for {
		ch := r.s.Peek()
		switch {
		case ch == ' ' || ch == '\t':
			r.s.Next()
			continue
		case r.lang.identRune(ch, 0):
		default:
			return // using (var x = …), import static: not a name here
		}
		break
	}
	start := int32(r.s.Pos().Line)
	for ch := r.s.Peek(); r.lang.identRune(ch, 1) || ch == '.' || ch == '*'; ch = r.s.Peek() {
		r.s.Next()
	}
	r.emit(nameToken, start, true)
}

func isStringPrefix(text string) bool {
	switch strings.ToLower(text) {
	case "r", "b", "u", "f", "rb", "br", "rf", "fr":
		return true
	}
	return false
}

// operator emits punctuation or an operator, taking the longest of the
// language's operators that starts with ch.
func (r *tokenScanner) operator(ch rune, start int32) {
	if ch < 0 {
		return // a literal kind text/scanner was not asked to scan
	}
	text := string(ch)
	for r.lang.operatorPrefixes[text] {
		next := text + string(r.s.Peek())
		if !r.lang.operators[next] && !r.lang.operatorPrefixes[next] {
			break
		}
		r.s.Next()
		text = next
	}
	r.emit(text, start, text == ")" || text == "]" || text == "}")
}

// quoted reads a string or character literal whose opening quote was just read.
func (r *tokenScanner) quoted(quote rune, start int32) {
	lang := r.lang
	switch {
	case quote == '`' && lang.templates:
		r.template(start)
		return
	case quote == '`' && lang.rawBackticks:
		r.until('`', false, false, true)
	case lang.tripleQuotes && quote == '"' || lang.tripleQuotes && lang.stringPrefixes && quote == '\'':
		if r.s.Peek() != quote {
			r.until(quote, lang.backslashEscapes, false, false)
			break
		}
		r.s.Next()
		if r.s.Peek() != quote {
			break // an empty string
		}
		r.s.Next()
		r.untilTriple(quote)
	default:
		// SQL doubles a quote to escape it, and its strings span lines.
		sql := !lang.backslashEscapes
		r.until(quote, lang.backslashEscapes, sql, sql)
	}
	r.emit(stringToken, start, true)
}

// until reads up to and including the closing quote. A literal that may not
// span lines ends at the end of its line if it is not closed.
func (r *tokenScanner) until(quote rune, backslash, doubled, multiline bool) {
	for {
		ch := r.s.Next()
		switch {
		case ch == scanner.EOF:
			return
		case ch == '\n' && !multiline:
			return
		case ch == '\\' && backslash:
			r.s.Next()
		case ch == quote && doubled && r.s.Peek() == quote:
			r.s.Next()
		case ch == quote:
			return
		}
	}
}

// untilTriple reads the rest of a """ or ”' string.
func (r *tokenScanner) untilTriple(quote rune) {
	run := 0
	for {
		ch := r.s.Next()
		switch {
		case ch == scanner.EOF:
			return
		case ch == '\\':
			r.s.Next()
			run = 0
		case ch == quote:
			run++
			if run == 3 {
				return
			}
		default:
			run = 0
		}
	}
}

// template reads a JavaScript template literal up to its closing backquote,
// or up to a ${, after which the expression is scanned as code until its
// closing brace resumes the template. Each piece is a string token; the
// pieces around an interpolation stay apart, as in chroma's lexer.
func (r *tokenScanner) template(start int32) {
	for {
		ch := r.s.Next()
		switch {
		case ch == scanner.EOF || ch == '`':
			r.emit(stringToken, start, true)
			return
		case ch == '\\':
			r.s.Next()
		case ch == '$' && r.s.Peek() == '{':
			r.s.Next()
			r.emit(stringToken, start, false)
			r.templates = append(r.templates, 0)
			return
		}
	}
}

// regex reads a regular-expression literal after its opening slash: up to
// the closing slash outside a character class, then its flags. One that
// does not close on its line ends there.
func (r *tokenScanner) regex() {
	inClass := false
	for {
		ch := r.s.Peek()
		if ch == scanner.EOF || ch == '\n' {
			return
		}
		r.s.Next()
		switch {
		case ch == '\\':
			if r.s.Peek() != '\n' {
				r.s.Next()
			}
		case ch == '[':
			inClass = true
		case ch == ']':
			inClass = false
		case ch == '/' && !inClass:
			for unicode.IsLetter(r.s.Peek()) {
				r.s.Next()
			}
			return
		}
	}
}

func (r *tokenScanner) skipLine() {
	for ch := r.s.Peek(); ch != '\n' && ch != scanner.EOF; ch = r.s.Peek() {
		r.s.Next()
	}
}

// emit adds a token that started on line start and ends where the scanner is.
func (r *tokenScanner) emit(text string, start int32, operand bool) {
	r.operand = operand
	r.list.add(text, start, int32(r.s.Pos().Line))
}
