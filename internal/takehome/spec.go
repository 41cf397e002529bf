package takehome

import (
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// The shape of takehome.yaml. Every type that has to say where it was
// written records its node's place (at) through its own unmarshaler, which
// decodes strictly: an unknown key is an error at that key.

// spec is takehome.yaml as written.
type spec struct {
	Slug      str
	Title     str
	Version   str
	ReadyPath str
	Limits    limitsSpec
	Reference sourceSpec
	Variants  []variantSpec
	Values    namedStrs             // per-run values, CEL, in order
	Variables map[string]str        // env for release and web, templates
	Stubs     map[string]stubRoutes // variable name → routes
	Data      []dataSpec
	Checks    []checkSpec
}

// strict decodes n into v refusing unknown keys.
func strict(n ast.Node, v any) error { return yaml.NodeToValue(n, v, yaml.Strict()) }

// str is a scalar string with its place.
type str struct {
	v  string
	at pos
}

func (s *str) UnmarshalYAML(n ast.Node) error {
	s.at = posOf(n)
	switch n := n.(type) {
	case *ast.StringNode:
		s.v = n.Value
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		s.v = n.GetToken().Value
	case *ast.LiteralNode:
		s.v = n.Value.Value
	case *ast.NullNode:
		s.v = ""
	default:
		return errAt(n, "expected a string, got %s", n.Type().YAMLName())
	}
	return nil
}

// namedStr is one entry of an ordered map of strings (values, captures, metrics).
type namedStr struct {
	name string
	val  str
}

type namedStrs []namedStr

func (ns *namedStrs) UnmarshalYAML(n ast.Node) error {
	if _, ok := n.(*ast.NullNode); ok {
		return nil
	}
	m, ok := n.(ast.MapNode)
	if !ok {
		return errAt(n, "expected a map of names to expressions, got %s", n.Type().YAMLName())
	}
	seen := map[string]bool{}
	for it := m.MapRange(); it.Next(); {
		name := it.Key().GetToken().Value
		if seen[name] {
			return errAt(it.Key(), "%q given twice", name)
		}
		seen[name] = true
		var v str
		if err := v.UnmarshalYAML(it.Value()); err != nil {
			return err
		}
		*ns = append(*ns, namedStr{name: name, val: v})
	}
	return nil
}

// dur is a Go duration ("10m", "200ms").
type dur struct {
	d   time.Duration
	at  pos
	set bool
}

func (d *dur) UnmarshalYAML(n ast.Node) error {
	d.at = posOf(n)
	s, ok := n.(*ast.StringNode)
	if !ok {
		return errAt(n, "expected a duration such as \"30s\" or \"2m\", got %s", n.GetToken().Value)
	}
	v, err := time.ParseDuration(s.Value)
	if err != nil || v <= 0 {
		return errAt(n, "%q is not a positive duration such as \"30s\" or \"2m\"", s.Value)
	}
	d.d, d.set = v, true
	return nil
}

type limitsSpec struct {
	Build   dur
	Release dur
	Ready   dur
}

// sourceSpec is a folder in the bundle or a git repository.
type sourceSpec struct {
	Dir  string
	Repo string
	Ref  string
	at   pos
	set  bool
}

func (s *sourceSpec) UnmarshalYAML(n ast.Node) error {
	s.at, s.set = posOf(n), true
	if sn, ok := n.(*ast.StringNode); ok {
		s.Dir = sn.Value
		return nil
	}
	var r struct {
		Repo string
		Ref  string
	}
	if err := strict(n, &r); err != nil {
		return err
	}
	if r.Repo == "" {
		return errAt(n, "reference: give a folder of the bundle or {repo: URL, ref: BRANCH}")
	}
	s.Repo, s.Ref = r.Repo, r.Ref
	return nil
}

type variantSpec struct {
	Name  str
	Path  str
	Repo  str
	Ref   str
	Fails []str
	at    pos
}

func (v *variantSpec) UnmarshalYAML(n ast.Node) error {
	type plain variantSpec
	v.at = posOf(n)
	return strict(n, (*plain)(v))
}

// stubRoutes are the routes of one upstream stub.
type stubRoutes []stubRoute

type stubRoute struct {
	Method    str
	Path      str
	Status    int
	Headers   map[string]str
	Body      *jsonVal
	Text      *str
	FailFirst int `yaml:"fail_first"`
	at        pos
}

func (r *stubRoute) UnmarshalYAML(n ast.Node) error {
	type plain stubRoute
	r.at = posOf(n)
	return strict(n, (*plain)(r))
}

// jsonVal is a YAML value sent or written as JSON; its strings are templates.
type jsonVal struct {
	v  any
	at pos
}

func (j *jsonVal) UnmarshalYAML(n ast.Node) error {
	j.at = posOf(n)
	return yaml.NodeToValue(n, &j.v)
}

type dataSpec struct {
	Path str
	JSON *jsonVal `yaml:"json"`
	Text *str
	at   pos
}

func (d *dataSpec) UnmarshalYAML(n ast.Node) error {
	type plain dataSpec
	d.at = posOf(n)
	return strict(n, (*plain)(d))
}

type checkSpec struct {
	ID         str
	Title      str
	Category   str
	Points     int
	Visibility str
	Message    str
	Steps      []stepSpec
	at         pos
}

func (c *checkSpec) UnmarshalYAML(n ast.Node) error {
	type plain checkSpec
	c.at = posOf(n)
	return strict(n, (*plain)(c))
}

// Step kinds: each step is a map with exactly one of these keys.
const (
	stepHTTP          = "http"
	stepSQL           = "sql"
	stepRestart       = "restart"
	stepFreshDatabase = "fresh_database"
	stepStatements    = "statements"
	stepConcurrent    = "concurrent"
	stepPoll          = "poll"
	stepExec          = "exec"
)

var stepKinds = []string{stepHTTP, stepSQL, stepRestart, stepFreshDatabase, stepStatements, stepConcurrent, stepPoll, stepExec}

type stepSpec struct {
	kind string
	at   pos

	HTTP          *httpSpec       `yaml:"http"`
	SQL           *sqlSpec        `yaml:"sql"`
	Restart       *restartSpec    `yaml:"restart"`
	FreshDatabase *struct{}       `yaml:"fresh_database"`
	Statements    *struct{}       `yaml:"statements"`
	Concurrent    *concurrentSpec `yaml:"concurrent"`
	Poll          *pollSpec       `yaml:"poll"`
	Exec          *execSpec       `yaml:"exec"`

	Expect  []expectItem
	Capture namedStrs
	Metrics namedStrs
}

func (s *stepSpec) UnmarshalYAML(n ast.Node) error {
	s.at = posOf(n)
	m, ok := n.(ast.MapNode)
	if !ok {
		return errAt(n, "a step is a map with one of %s", strings.Join(stepKinds, ", "))
	}
	var kinds []string
	for it := m.MapRange(); it.Next(); {
		k := it.Key().GetToken().Value
		for _, sk := range stepKinds {
			if k == sk {
				kinds = append(kinds, k)
			}
		}
	}
	switch len(kinds) {
	case 0:
		return errAt(n, "a step needs one of %s", strings.Join(stepKinds, ", "))
	case 1:
	default:
		return errAt(n, "a step has one kind, this one has %s", strings.Join(kinds, " and "))
	}
	type plain stepSpec
	if err := strict(n, (*plain)(s)); err != nil {
		return err
	}
	s.kind = kinds[0]
	missing := map[string]bool{stepHTTP: s.HTTP == nil, stepSQL: s.SQL == nil, stepConcurrent: s.Concurrent == nil,
		stepPoll: s.Poll == nil, stepExec: s.Exec == nil}
	if missing[s.kind] {
		return errAt(n, "a %s step needs its settings (see the format in the README)", s.kind)
	}
	if s.Restart == nil {
		s.Restart = &restartSpec{}
	}
	return nil
}

type httpSpec struct {
	Method  str
	Path    str
	Headers map[string]str
	JSON    *jsonVal `yaml:"json"`
	Text    *str
	Status  statusSet
	at      pos
}

func (h *httpSpec) UnmarshalYAML(n ast.Node) error {
	type plain httpSpec
	h.at = posOf(n)
	return strict(n, (*plain)(h))
}

// statusSet is `status: 200` or `status: [200, 201]`.
type statusSet []int

func (s *statusSet) UnmarshalYAML(n ast.Node) error {
	one := func(n ast.Node) error {
		v, err := strconv.Atoi(n.GetToken().Value)
		if _, isInt := n.(*ast.IntegerNode); !isInt || err != nil || v < 100 || v > 599 {
			return errAt(n, "status %s is not an HTTP status", n.GetToken().Value)
		}
		*s = append(*s, v)
		return nil
	}
	if seq, ok := n.(*ast.SequenceNode); ok {
		for _, v := range seq.Values {
			if err := one(v); err != nil {
				return err
			}
		}
		return nil
	}
	return one(n)
}

type sqlSpec struct {
	Query str
}

type restartSpec struct {
	Release *bool
}

type concurrentSpec struct {
	Request  *httpSpec
	AtOnce   int `yaml:"at_once"`
	Rate     float64
	Duration dur
	at       pos
}

func (c *concurrentSpec) UnmarshalYAML(n ast.Node) error {
	type plain concurrentSpec
	c.at = posOf(n)
	return strict(n, (*plain)(c))
}

type pollSpec struct {
	Step   *stepSpec
	Every  dur
	Within dur
	at     pos
}

func (p *pollSpec) UnmarshalYAML(n ast.Node) error {
	type plain pollSpec
	p.at = posOf(n)
	return strict(n, (*plain)(p))
}

type execSpec struct {
	Command str
	Timeout dur
	JUnit   str `yaml:"junit"`
	at      pos
}

func (e *execSpec) UnmarshalYAML(n ast.Node) error {
	type plain execSpec
	e.at = posOf(n)
	return strict(n, (*plain)(e))
}

// expectItem is an assertion: a CEL expression, or {that, message}.
type expectItem struct {
	that    str
	message string
}

func (e *expectItem) UnmarshalYAML(n ast.Node) error {
	if _, ok := n.(ast.MapNode); ok {
		var v struct {
			That    str
			Message string
		}
		if err := strict(n, &v); err != nil {
			return err
		}
		if v.That.v == "" {
			return errAt(n, "an expectation written as a map needs `that`")
		}
		e.that, e.message = v.That, v.Message
		return nil
	}
	return e.that.UnmarshalYAML(n)
}

// decodeSpec decodes takehome.yaml key by key (and check by check), so that
// one mistake does not hide the next.
func decodeSpec(src []byte, ps *problems) *spec {
	file, err := parseYAML(src)
	if err != nil {
		ps.decodeErr(nil, err)
		return nil
	}
	if len(file.Docs) != 1 || file.Docs[0].Body == nil {
		ps.add(pos{1, 1}, "takehome.yaml holds one YAML document, a map")
		return nil
	}
	body := file.Docs[0].Body
	root, ok := body.(ast.MapNode)
	if !ok {
		ps.add(posOf(file.Docs[0].Body), "takehome.yaml is a map of keys (slug, title, checks...)")
		return nil
	}
	s := &spec{}
	fields := map[string]any{
		"slug": &s.Slug, "title": &s.Title, "version": &s.Version, "ready_path": &s.ReadyPath,
		"limits": &s.Limits, "reference": &s.Reference, "variants": &s.Variants, "values": &s.Values,
		"variables": &s.Variables, "stubs": &s.Stubs, "data": &s.Data,
	}
	seen := map[string]bool{}
	for it := root.MapRange(); it.Next(); {
		key := it.Key().GetToken().Value
		if seen[key] {
			ps.add(posOf(it.Key()), "key %q given twice", key)
			continue
		}
		seen[key] = true
		if key == "checks" {
			s.Checks = decodeChecks(it.Value(), ps)
			continue
		}
		dst, ok := fields[key]
		if !ok {
			ps.add(posOf(it.Key()), "unknown key %q", key)
			continue
		}
		if err := strict(it.Value(), dst); err != nil {
			ps.decodeErr(it.Value(), err)
		}
	}
	for _, req := range []string{"slug", "title", "version", "ready_path", "checks"} {
		if !seen[req] {
			ps.add(posOf(body), "missing required key %q", req)
		}
	}
	return s
}

// decodeChecks decodes each check on its own.
func decodeChecks(n ast.Node, ps *problems) []checkSpec {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		ps.add(posOf(n), "checks is a list of checks")
		return nil
	}
	out := make([]checkSpec, 0, len(seq.Values))
	for _, v := range seq.Values {
		var c checkSpec
		if err := strict(v, &c); err != nil {
			ps.decodeErr(v, err)
			continue
		}
		out = append(out, c)
	}
	return out
}

func parseYAML(src []byte) (*ast.File, error) { return parser.ParseBytes(src, 0) }
