package takehome

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"cel.dev/cel-go/common/types/ref"
)

// template is a string that may hold ${ expr } parts (CEL). A template that
// is exactly one ${expr} keeps the expression's type (a number stays a
// number in a JSON body); otherwise the results are formatted into the string.
type template struct {
	parts []tpart
}

type tpart struct {
	lit string
	x   *expr
}

// parseTemplate splits s into literal text and expressions, compiling each.
// An expression ends at the } that closes its ${, counting braces and
// skipping quoted strings, so that ${ {"a": 1}.a } works.
func parseTemplate(e *envs, s string, at pos, sc scope) (*template, error) {
	t := &template{}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			if s != "" {
				t.parts = append(t.parts, tpart{lit: s})
			}
			return t, nil
		}
		if i > 0 {
			t.parts = append(t.parts, tpart{lit: s[:i]})
		}
		end := closingBrace(s[i+2:])
		if end < 0 {
			return nil, &posError{at: at, msg: fmt.Sprintf("template %q: ${ without its closing }", s)}
		}
		src := strings.TrimSpace(s[i+2 : i+2+end])
		if src == "" {
			return nil, &posError{at: at, msg: fmt.Sprintf("template %q: empty ${}", s)}
		}
		x, err := compileExpr(e, src, at, sc)
		if err != nil {
			return nil, err
		}
		t.parts = append(t.parts, tpart{x: x})
		s = s[i+2+end+1:]
	}
}

// closingBrace is the index of the } closing an expression, -1 when none.
func closingBrace(s string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{':
			depth++
		case c == '}':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// needs names the captures the template reads.
func (t *template) needs() []string {
	var out []string
	for _, p := range t.parts {
		if p.x != nil {
			out = append(out, p.x.needs...)
		}
	}
	return out
}

// render evaluates the template: a lone expression's value as it is,
// otherwise a string.
func (t *template) render(ctx context.Context, r *runState, vars map[string]any) (any, error) {
	if len(t.parts) == 1 && t.parts[0].x != nil {
		v, err := r.eval(ctx, t.parts[0].x, vars)
		if err != nil {
			return nil, err
		}
		return toNative(v)
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.x == nil {
			b.WriteString(p.lit)
			continue
		}
		v, err := r.eval(ctx, p.x, vars)
		if err != nil {
			return nil, err
		}
		s, err := format(v)
		if err != nil {
			return nil, fmt.Errorf("${%s}: %w", p.x.src, err)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// renderString renders the template as a string (paths, headers, text).
func (t *template) renderString(ctx context.Context, r *runState, vars map[string]any) (string, error) {
	v, err := t.render(ctx, r, vars)
	if err != nil {
		return "", err
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return show(v), nil
}

// format writes a value into a string: strings as they are, the rest as JSON.
func format(v ref.Val) (string, error) {
	n, err := toNative(v)
	if err != nil {
		return "", err
	}
	if s, ok := n.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(n)
	return string(b), err
}
