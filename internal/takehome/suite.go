package takehome

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"strings"
	"sync"

	"cel.dev/cel-go/common/types/ref"

	"github.com/assayhq/assay/internal/grading"
)

// Suite is the bundle as a grading.Suite: the engine runs it like any
// built-in take-home. It validates clean (Load checked what Validate does).
func (b *Bundle) Suite() *grading.Suite {
	s := &grading.Suite{Slug: b.Slug, Version: b.Version, Title: b.Title, Brief: b.Brief, Starter: b.Starter,
		ReadyPath: b.ReadyPath, Checks: b.Checks, Grade: b.grade}
	if len(b.prog.data) > 0 {
		s.Prepare = b.prepare
	}
	return s
}

// runState is one grading run of the bundle: its seed's CEL environments,
// the per-run values and everything captured so far.
type runState struct {
	b    *Bundle
	envs *envs
	seed int64

	mu       sync.Mutex
	progs    map[*expr]*prog
	values   map[string]any
	captures map[string]any
	vars     map[string]string
	stubs    *stubServer
}

func newRun(ctx context.Context, b *Bundle, seed int64) (*runState, error) {
	e, err := newEnvs(seed)
	if err != nil {
		return nil, err
	}
	r := &runState{b: b, envs: e, progs: map[*expr]*prog{}, seed: seed, values: map[string]any{},
		captures: map[string]any{}, vars: map[string]string{}}
	r.stubs = &stubServer{r: r, hits: map[string]map[string]int{}}
	for _, v := range b.prog.values {
		val, err := r.eval(ctx, v.x, nil)
		if err != nil {
			return nil, fmt.Errorf("value %s: %w", v.name, err)
		}
		if r.values[v.name], err = toNative(val); err != nil {
			return nil, fmt.Errorf("value %s: %w", v.name, err)
		}
	}
	return r, nil
}

// eval runs x with the variables every expression sees plus extra.
func (r *runState) eval(ctx context.Context, x *expr, extra map[string]any) (ref.Val, error) {
	r.mu.Lock()
	p := r.progs[x]
	if p == nil {
		var err error
		if p, err = x.program(r.envs); err != nil {
			r.mu.Unlock()
			return nil, err
		}
		r.progs[x] = p
	}
	// Copies: a stub answers the service while a check captures.
	vars := map[string]any{"values": r.values, "run": map[string]any{"seed": r.seed},
		"captures": maps.Clone(r.captures), "vars": maps.Clone(r.vars), "stubs": r.stubs.counts()}
	r.mu.Unlock()
	for k, v := range extra {
		vars[k] = v
	}
	return p.eval(ctx, vars)
}

func (r *runState) capture(name string, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.captures[name] = v
}

func (r *runState) captured(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.captures[name]
	return ok
}

// prepare renders the data files into the checkout, each only where its
// folder already exists (contract §1a): creating folders would change the
// repository's layout.
func (b *Bundle) prepare(ctx context.Context, p *grading.Prep) error {
	r, err := newRun(ctx, b, p.Seed)
	if err != nil {
		return fmt.Errorf("the take-home's per-run values: %w", err)
	}
	var wrote, skipped []string
	for _, d := range b.prog.data {
		dir := path.Dir(d.path)
		if st, err := p.Checkout.Lstat(dir); dir != "." && (err != nil || !st.IsDir()) {
			skipped = append(skipped, d.path)
			continue
		}
		body, err := d.render(ctx, r)
		if err != nil {
			return fmt.Errorf("render %s: %w", d.path, err)
		}
		// Remove first: Remove does not follow a final symlink, so a data
		// file that is a link is replaced rather than written through.
		if err := p.Checkout.Remove(d.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("replace %s: %w", d.path, err)
		}
		if err := p.Checkout.WriteFile(d.path, body, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", d.path, err)
		}
		wrote = append(wrote, d.path)
	}
	var msg []string
	if len(wrote) > 0 {
		msg = append(msg, "the take-home's data was written to "+strings.Join(wrote, ", "))
	}
	if len(skipped) > 0 {
		msg = append(msg, "not written, their folder is not in the repository: "+strings.Join(skipped, ", "))
	}
	p.Message = strings.Join(msg, "; ")
	return nil
}

func (d *dataFile) render(ctx context.Context, r *runState) ([]byte, error) {
	if d.text != nil {
		s, err := d.text.renderString(ctx, r, nil)
		return []byte(s), err
	}
	v, err := d.json.render(ctx, r, nil)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	return append(b, '\n'), err
}

// render evaluates every template of a JSON value.
func (j *jsonTemplate) render(ctx context.Context, r *runState, vars map[string]any) (any, error) {
	var walk func(v any) (any, error)
	walk = func(v any) (any, error) {
		switch v := v.(type) {
		case *template:
			return v.render(ctx, r, vars)
		case map[string]any:
			out := make(map[string]any, len(v))
			for k, x := range v {
				rv, err := walk(x)
				if err != nil {
					return nil, err
				}
				out[k] = rv
			}
			return out, nil
		case []any:
			out := make([]any, len(v))
			for i, x := range v {
				rv, err := walk(x)
				if err != nil {
					return nil, err
				}
				out[i] = rv
			}
			return out, nil
		}
		return v, nil
	}
	return walk(j.v)
}

// grade starts the service with the bundle's variables and stubs and runs
// the checks in file order.
func (b *Bundle) grade(ctx context.Context, g *grading.Grader) error {
	r, err := newRun(ctx, b, g.Seed())
	if err != nil {
		return fmt.Errorf("the take-home's per-run values: %w", err)
	}
	env := map[string]string{}
	for _, name := range sortedNames(b.prog.variables) {
		v, err := b.prog.variables[name].renderString(ctx, r, nil)
		if err != nil {
			return fmt.Errorf("variable %s: %w", name, err)
		}
		env[name] = v
		r.mu.Lock()
		r.vars[name] = v
		r.mu.Unlock()
	}
	x := &executor{r: r, g: g, start: grading.StartOptions{Env: env, Endpoints: r.stubs.handlers(b.prog.stubs)}}
	if x.svc, err = g.Start(ctx, x.start); err != nil {
		return err // the first start: the engine reports start_failed
	}
	for _, c := range b.prog.checks {
		x.run(ctx, c)
	}
	return nil
}

// executor runs the checks of one grading run against the service.
type executor struct {
	r     *runState
	g     *grading.Grader
	start grading.StartOptions
	svc   *grading.Service
	// gone says why the service is no longer running (a restart it did not
	// come back from): every later check is not run.
	gone string
	// lastStatements is what the previous http step sent to the database.
	lastStatements int64
}

const notBackReason = "not run: the service did not come back after a restart"

func (x *executor) run(ctx context.Context, c *check) {
	id := c.def.ID
	if x.gone != "" {
		x.g.NotRun(id, x.gone)
		return
	}
	for _, n := range c.needs {
		if !x.r.captured(n) {
			x.g.NotRun(id, fmt.Sprintf("not run: it needs captures.%s, which %s did not set", n, x.r.b.prog.setBy[n]))
			return
		}
	}
	x.g.Check(id, func(gc *grading.C) {
		for _, st := range c.steps {
			msg := x.step(ctx, gc, st)
			if msg == "" {
				continue
			}
			if c.message != "" {
				gc.Evidence("failure", msg)
				msg = c.message
			}
			gc.Failf("%s", msg)
			return
		}
	})
}
