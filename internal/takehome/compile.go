package takehome

import (
	"slices"
	"strings"
	"time"

	"cel.dev/cel-go/cel"

	"github.com/assayhq/assay/internal/grading"
)

// program is takehome.yaml compiled: every expression type-checked, every
// template split, defaults filled in.
type program struct {
	values    []namedExpr
	variables map[string]*template
	stubs     map[string][]*route
	data      []*dataFile
	checks    []*check
	// setBy names the check that captures each name first.
	setBy map[string]string
}

type namedExpr struct {
	name string
	x    *expr
}

type route struct {
	method, path string
	status       int
	headers      map[string]*template
	body         *jsonTemplate
	text         *template
	failFirst    int
}

type dataFile struct {
	path string
	json *jsonTemplate
	text *template
}

type check struct {
	def     grading.CheckDef
	message string
	steps   []*step
	// needs are the captures the check reads that earlier checks set.
	needs []string
}

type step struct {
	kind    string
	http    *request
	query   string
	release bool
	conc    *concurrent
	poll    *poll
	exec    *execStep
	expect  []expectation
	capture []namedExpr
	metrics []namedExpr
}

type request struct {
	method  string
	path    *template
	headers []header
	json    *jsonTemplate
	text    *template
	status  []int
}

type header struct {
	name string
	t    *template
}

type concurrent struct {
	req      *request
	atOnce   int
	rate     float64
	duration time.Duration
}

type poll struct {
	step          *step
	every, within time.Duration
}

type execStep struct {
	command string
	timeout time.Duration
	junit   string
}

type expectation struct {
	x       *expr
	message string
}

// Defaults of steps that leave them out.
const (
	defaultPollEvery  = 200 * time.Millisecond
	defaultPollWithin = 10 * time.Second
	defaultExecTime   = 2 * time.Minute
)

// jsonTemplate is a JSON value whose strings are templates.
type jsonTemplate struct {
	v any // map[string]any, []any, scalars, *template
}

// compiler compiles a spec, recording problems at their places.
type compiler struct {
	e  *envs
	ps *problems
	// setBy says which check captures each name, in file order.
	setBy map[string]string
}

func compile(s *spec, ps *problems) *program {
	e, err := newEnvs(0)
	if err != nil {
		ps.add(pos{}, "%v", err) // our own declarations: never the bundle's fault
		return nil
	}
	c := &compiler{e: e, ps: ps, setBy: map[string]string{}}
	p := &program{variables: map[string]*template{}, stubs: map[string][]*route{}}
	for _, v := range s.Values {
		if x := c.expr(v.val.v, v.val.at, scopeBase); x != nil {
			p.values = append(p.values, namedExpr{name: v.name, x: x})
		}
	}
	for _, name := range sortedNames(s.Variables) {
		v := s.Variables[name]
		p.variables[name] = c.template(v.v, v.at, scopeBase)
	}
	for _, name := range sortedNames(s.Stubs) {
		for _, r := range s.Stubs[name] {
			cr := &route{method: r.Method.v, path: r.Path.v, status: r.Status, failFirst: r.FailFirst, headers: map[string]*template{}}
			if cr.status == 0 {
				cr.status = 200
			}
			for _, h := range sortedNames(r.Headers) {
				cr.headers[h] = c.template(r.Headers[h].v, r.Headers[h].at, scopeBase)
			}
			if r.Body != nil {
				cr.body = c.json(r.Body, scopeBase)
			}
			if r.Text != nil {
				cr.text = c.template(r.Text.v, r.Text.at, scopeBase)
			}
			p.stubs[name] = append(p.stubs[name], cr)
		}
	}
	for _, d := range s.Data {
		df := &dataFile{path: strings.TrimPrefix(d.Path.v, "./")}
		if d.JSON != nil {
			df.json = c.json(d.JSON, scopeBase)
		}
		if d.Text != nil {
			df.text = c.template(d.Text.v, d.Text.at, scopeBase)
		}
		p.data = append(p.data, df)
	}
	for _, cs := range s.Checks {
		p.checks = append(p.checks, c.check(cs))
	}
	p.setBy = c.setBy
	return p
}

func (c *compiler) expr(src string, at pos, sc scope, want ...*cel.Type) *expr {
	if strings.TrimSpace(src) == "" {
		c.ps.add(at, "empty expression")
		return nil
	}
	x, err := compileExpr(c.e, src, at, sc, want...)
	if err != nil {
		c.ps.decodeErr(nil, err)
		return nil
	}
	return x
}

func (c *compiler) template(src string, at pos, sc scope) *template {
	t, err := parseTemplate(c.e, src, at, sc)
	if err != nil {
		c.ps.decodeErr(nil, err)
		return &template{}
	}
	return t
}

func (c *compiler) json(j *jsonVal, sc scope) *jsonTemplate {
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case string:
			return c.template(v, j.at, sc)
		case map[string]any:
			out := make(map[string]any, len(v))
			for k, x := range v {
				out[k] = walk(x)
			}
			return out
		case []any:
			out := make([]any, len(v))
			for i, x := range v {
				out[i] = walk(x)
			}
			return out
		}
		return v
	}
	return &jsonTemplate{v: walk(j.v)}
}

func (c *compiler) check(cs checkSpec) *check {
	ch := &check{message: cs.Message.v, def: grading.CheckDef{ID: cs.ID.v, Title: cs.Title.v,
		Category: categories[cs.Category.v], Points: cs.Points, Visibility: grading.Visible}}
	if cs.Visibility.v == grading.Hidden {
		ch.def.Visibility = grading.Hidden
	}
	setHere := map[string]bool{}
	for _, ss := range cs.Steps {
		st := c.step(ss)
		if st == nil {
			continue
		}
		for _, n := range stepNeeds(st) {
			if setHere[n] || slices.Contains(ch.needs, n) {
				continue
			}
			if _, ok := c.setBy[n]; !ok {
				c.ps.add(ss.at, "check %s reads captures.%s, which no step before it captures", cs.ID.v, n)
				continue
			}
			ch.needs = append(ch.needs, n)
		}
		for _, cp := range st.capture {
			setHere[cp.name] = true
		}
		if st.poll != nil {
			for _, cp := range st.poll.step.capture {
				setHere[cp.name] = true
			}
		}
		ch.steps = append(ch.steps, st)
	}
	for n := range setHere {
		if _, ok := c.setBy[n]; !ok {
			c.setBy[n] = cs.ID.v
		}
	}
	return ch
}

// stepNeeds are the captures a step reads.
func stepNeeds(st *step) []string {
	var out []string
	add := func(x *expr) {
		if x != nil {
			out = append(out, x.needs...)
		}
	}
	addReq := func(r *request) {
		if r == nil {
			return
		}
		out = append(out, r.path.needs()...)
		for _, h := range r.headers {
			out = append(out, h.t.needs()...)
		}
		if r.text != nil {
			out = append(out, r.text.needs()...)
		}
		if r.json != nil {
			out = append(out, r.json.needs()...)
		}
	}
	addReq(st.http)
	if st.conc != nil {
		addReq(st.conc.req)
	}
	if st.poll != nil {
		out = append(out, stepNeeds(st.poll.step)...)
	}
	for _, e := range st.expect {
		add(e.x)
	}
	for _, n := range append(slices.Clone(st.capture), st.metrics...) {
		add(n.x)
	}
	return out
}

func (j *jsonTemplate) needs() []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case *template:
			out = append(out, v.needs()...)
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(j.v)
	return out
}

// resultScope is the scope of a step kind's expect, capture and metrics.
var resultScope = map[string]scope{stepHTTP: scopeHTTP, stepSQL: scopeSQL, stepStatements: scopeStatements,
	stepConcurrent: scopeConcurrent, stepExec: scopeExec}

func (c *compiler) step(ss stepSpec) *step {
	st := &step{kind: ss.kind}
	switch ss.kind {
	case stepHTTP:
		st.http = c.request(ss.HTTP)
	case stepSQL:
		st.query = ss.SQL.Query.v
	case stepRestart:
		st.release = ss.Restart.Release == nil || *ss.Restart.Release
	case stepConcurrent:
		cs := ss.Concurrent
		if cs.Request == nil {
			return nil // validate said so
		}
		st.conc = &concurrent{req: c.request(cs.Request), atOnce: cs.AtOnce, rate: cs.Rate, duration: cs.Duration.d}
	case stepPoll:
		if ss.Poll.Step == nil {
			return nil // validate said so
		}
		inner := c.step(*ss.Poll.Step)
		if inner == nil {
			return nil
		}
		st.poll = &poll{step: inner, every: ss.Poll.Every.d, within: ss.Poll.Within.d}
		if st.poll.every == 0 {
			st.poll.every = defaultPollEvery
		}
		if st.poll.within == 0 {
			st.poll.within = defaultPollWithin
		}
	case stepExec:
		st.exec = &execStep{command: ss.Exec.Command.v, timeout: ss.Exec.Timeout.d, junit: ss.Exec.JUnit.v}
		if st.exec.timeout == 0 {
			st.exec.timeout = defaultExecTime
		}
	}
	sc := resultScope[ss.kind]
	for _, e := range ss.Expect {
		if x := c.expr(e.that.v, e.that.at, sc, cel.BoolType); x != nil {
			st.expect = append(st.expect, expectation{x: x, message: e.message})
		}
	}
	for _, n := range ss.Capture {
		if !namePattern.MatchString(n.name) {
			c.ps.add(n.val.at, "capture %q: a name of lowercase letters, digits and _", n.name)
		}
		if x := c.expr(n.val.v, n.val.at, sc); x != nil {
			st.capture = append(st.capture, namedExpr{name: n.name, x: x})
		}
	}
	for _, n := range ss.Metrics {
		if x := c.expr(n.val.v, n.val.at, sc, cel.IntType, cel.DoubleType, cel.UintType); x != nil {
			st.metrics = append(st.metrics, namedExpr{name: n.name, x: x})
		}
	}
	return st
}

func (c *compiler) request(h *httpSpec) *request {
	r := &request{method: h.Method.v, status: h.Status, path: c.template(h.Path.v, h.Path.at, scopeRequest)}
	for _, name := range sortedNames(h.Headers) {
		r.headers = append(r.headers, header{name: name, t: c.template(h.Headers[name].v, h.Headers[name].at, scopeHeaders)})
	}
	if h.JSON != nil {
		r.json = c.json(h.JSON, scopeRequest)
	}
	if h.Text != nil {
		r.text = c.template(h.Text.v, h.Text.at, scopeRequest)
	}
	return r
}
