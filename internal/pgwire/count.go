package pgwire

// stmtCounter counts the SQL statements in a simple-protocol query string the
// way PostgreSQL splits it: on semicolons outside string literals, quoted
// identifiers, dollar-quoted bodies and comments, ignoring empty statements.
// It is fed in pieces (io.Writer) so that a hostile client sending a huge
// query costs the proxy no memory.
type stmtCounter struct {
	state      lexState
	escapes    bool   // inside an E'...' string, where backslash escapes
	afterSlash bool   // inside a quote: the previous byte was a backslash
	depth      int    // block comment nesting (PostgreSQL nests them)
	prev       byte   // previous byte in a comment, to pair "/*" and "*/"
	tag        []byte // dollar-quote tag being read or matched
	match      int    // bytes of "$tag" matched so far in a dollar body, -1 none
	last       byte   // last two bytes seen in normal text, for E'' and $ rules
	last2      byte
	content    bool // the current statement has something other than blanks
	count      int64
}

type lexState int

const (
	lexNormal lexState = iota
	lexDash            // saw '-': a comment if another '-' follows
	lexSlash           // saw '/': a comment if '*' follows
	lexLineComment
	lexBlockComment
	lexSingle
	lexDouble
	lexDollarTag  // read "$" and maybe part of a tag; waiting for the closing '$'
	lexDollarBody // inside $tag$ ... $tag$
)

// maxDollarTag bounds the tag we remember; PostgreSQL identifiers are at most
// 63 bytes, anything longer cannot be a dollar quote.
const maxDollarTag = 64

func (c *stmtCounter) Write(p []byte) (int, error) {
	for _, b := range p {
		c.step(b)
	}
	return len(p), nil
}

// Count ends the input and returns the number of statements in it.
func (c *stmtCounter) Count() int64 {
	if c.state == lexDash || c.state == lexSlash {
		c.content = true
	}
	n := c.count
	if c.content {
		n++
	}
	return n
}

func (c *stmtCounter) step(b byte) {
	switch c.state {
	case lexDash:
		if b == '-' {
			c.state = lexLineComment
			return
		}
		c.plain('-', b)
	case lexSlash:
		if b == '*' {
			c.state, c.depth, c.prev = lexBlockComment, 1, 0
			return
		}
		c.plain('/', b)
	case lexLineComment:
		if b == '\n' || b == '\r' {
			c.state = lexNormal
		}
	case lexBlockComment:
		c.blockComment(b)
	case lexSingle, lexDouble:
		c.quoted(b)
	case lexDollarTag:
		c.dollarTag(b)
	case lexDollarBody:
		c.dollarBody(b)
	default:
		c.normal(b)
	}
}

// plain handles a '-' or '/' that turned out not to start a comment.
func (c *stmtCounter) plain(op, b byte) {
	c.content = true
	c.state = lexNormal
	c.last2, c.last = c.last, op
	c.normal(b)
}

func (c *stmtCounter) normal(b byte) {
	defer func() { c.last2, c.last = c.last, b }()
	switch {
	case b == ';':
		if c.content {
			c.count++
		}
		c.content = false
		return
	case b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v':
		return
	case b == '-':
		c.state = lexDash
		return
	case b == '/':
		c.state = lexSlash
		return
	}
	c.content = true
	switch b {
	case '\'':
		c.state = lexSingle
		c.escapes = (c.last == 'E' || c.last == 'e') && !identByte(c.last2)
		c.afterSlash = false
	case '"':
		c.state = lexDouble
		c.escapes, c.afterSlash = false, false
	case '$':
		// "$1" is a parameter and "a$b" part of an identifier; only a '$'
		// that starts a token can open a dollar quote.
		if !identByte(c.last) {
			c.state = lexDollarTag
			c.tag = c.tag[:0]
		}
	}
}

func (c *stmtCounter) quoted(b byte) {
	switch {
	case c.afterSlash:
		c.afterSlash = false
	case c.escapes && b == '\\':
		c.afterSlash = true
	case c.state == lexSingle && b == '\'', c.state == lexDouble && b == '"':
		c.state = lexNormal
		c.last2, c.last = c.last, b
	}
}

func (c *stmtCounter) blockComment(b byte) {
	switch {
	case c.prev == '/' && b == '*':
		c.depth++
		b = 0 // "/*/" must not also close
	case c.prev == '*' && b == '/':
		c.depth--
		b = 0
		if c.depth == 0 {
			c.state = lexNormal
		}
	}
	c.prev = b
}

func (c *stmtCounter) dollarTag(b byte) {
	switch {
	case b == '$':
		c.state, c.match = lexDollarBody, -1
	case identByte(b) && !(len(c.tag) == 0 && b >= '0' && b <= '9') && len(c.tag) < maxDollarTag:
		c.tag = append(c.tag, b)
	default:
		// Not a dollar quote after all ("$1", "$ ", ...): plain text.
		c.state = lexNormal
		c.last = '$'
		c.normal(b)
	}
}

func (c *stmtCounter) dollarBody(b byte) {
	switch {
	case b == '$' && c.match == len(c.tag):
		c.state = lexNormal
		c.last2, c.last = 0, '$'
	case b == '$':
		c.match = 0
	case c.match >= 0 && c.match < len(c.tag) && c.tag[c.match] == b:
		c.match++
	default:
		c.match = -1
	}
}

// identByte reports whether b can continue an identifier, so that a quote or
// '$' right after it belongs to that identifier.
func identByte(b byte) bool {
	return b == '_' || b == '$' || b >= 0x80 ||
		(b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}
