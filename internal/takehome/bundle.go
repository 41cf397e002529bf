// Package takehome reads take-homes declared in a file: a folder (or a zip)
// holding takehome.yaml, BRIEF.md, a starter kit and a reference solution.
// Load parses and validates the bundle strictly, compiling every CEL
// expression; Bundle.Suite turns it into a grading.Suite that the engine runs
// like any built-in take-home; Check grades the reference and the flawed
// variants and says whether the version may be issued.
package takehome

import (
	"errors"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/grading"
)

// Source is where a solution lives: a folder of the bundle (Dir, slash
// separated, relative to the bundle's root) or a git repository (Repo, Ref).
type Source struct {
	Dir string `json:"dir,omitempty"`
	// Over is the folder Dir is laid over: a variant's folder holds only the
	// files in which it differs from a reference that is a folder of the
	// bundle (its flaw), so the two cannot drift apart anywhere else.
	Over string `json:"over,omitempty"`
	Repo string `json:"repo,omitempty"`
	Ref  string `json:"ref,omitempty"`
}

func (s Source) String() string {
	if s.Repo != "" {
		if s.Ref != "" {
			return s.Repo + "@" + s.Ref
		}
		return s.Repo
	}
	return s.Dir + "/"
}

// Variant is a flawed solution and the checks it must fail, exactly.
type Variant struct {
	Name   string   `json:"name"`
	Source Source   `json:"source"`
	Fails  []string `json:"fails"`
}

// Limits are the bundle's phase limits; zero means the contract's default.
// The engine's caller applies them (run.Options.Limits and ReadyTimeout).
type Limits struct {
	Build, Release, Ready time.Duration
}

// Bundle is a loaded, validated take-home.
type Bundle struct {
	Slug, Title, Version, Brief string
	ReadyPath                   string
	Starter                     fs.FS // nil when the bundle has no starter/
	Reference                   Source
	Variants                    []Variant
	Limits                      Limits
	// Checks are the bundle's checks after grading.SetupChecks, as the
	// suite declares them.
	Checks []grading.CheckDef

	fsys fs.FS
	spec *spec
	prog *program
}

// FS is the bundle's folder, as Load was given it.
func (b *Bundle) FS() fs.FS { return b.fsys }

var (
	slugPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,40}$`)
	checkIDPattern = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)
	variantPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,40}$`)
	envPattern     = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	namePattern    = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
)

// bundlePoints is what a bundle's own checks add up to: the setup checks
// the loader adds hold the other 10.
const bundlePoints = 90

// Load reads and validates the bundle rooted at fsys (the folder holding
// takehome.yaml). The error is a *LoadError listing every problem, each with
// its file:line:col.
func Load(fsys fs.FS) (*Bundle, error) {
	ps := &problems{}
	src, err := fs.ReadFile(fsys, specFile)
	if err != nil {
		ps.file(specFile, "cannot be read: %v", pathErr(err))
		return nil, ps.err()
	}
	s := decodeSpec(src, ps)
	brief, err := fs.ReadFile(fsys, "BRIEF.md")
	if err != nil {
		ps.file("BRIEF.md", "the candidate's brief cannot be read: %v", pathErr(err))
	}
	if s == nil {
		return nil, ps.err()
	}
	b := &Bundle{Slug: s.Slug.v, Title: s.Title.v, Version: s.Version.v, Brief: string(brief),
		ReadyPath: s.ReadyPath.v, spec: s, fsys: fsys,
		Limits: Limits{Build: s.Limits.Build.d, Release: s.Limits.Release.d, Ready: s.Limits.Ready.d}}
	if st, err := fs.Stat(fsys, "starter"); err == nil && st.IsDir() {
		b.Starter, _ = fs.Sub(fsys, "starter")
	}
	validate(s, fsys, b, ps)
	b.prog = compile(s, ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return b, nil
}

// pathErr drops the path the fs error repeats.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// validate checks what decoding cannot: required fields, ids, points,
// categories, folders, and the shape of each step.
func validate(s *spec, fsys fs.FS, b *Bundle, ps *problems) {
	if s.Slug.v != "" && !slugPattern.MatchString(s.Slug.v) {
		ps.add(s.Slug.at, "slug %q: lowercase letters, digits and dashes, 2 to 41 characters", s.Slug.v)
	}
	if s.ReadyPath.v != "" && s.ReadyPath.v[0] != '/' {
		ps.add(s.ReadyPath.at, "ready_path %q must start with /", s.ReadyPath.v)
	}
	validateLimits(s.Limits, ps)
	b.Reference = validateReference(s, fsys, ps)
	b.Checks = append(grading.SetupChecks(), validateChecks(s, ps)...)
	ids := map[string]bool{}
	for _, c := range b.Checks {
		ids[c.ID] = true
	}
	b.Variants = validateVariants(s, fsys, ids, ps)
	for i := range b.Variants {
		if b.Variants[i].Source.Dir != "" && b.Reference.Dir != "" {
			b.Variants[i].Source.Over = b.Reference.Dir
		}
	}
	for name, v := range s.Variables {
		if !envPattern.MatchString(name) {
			ps.add(v.at, "variable %q: an environment variable name (A-Z, 0-9, _)", name)
		}
		if reservedEnv[name] {
			ps.add(v.at, "variable %s is set by the grader", name)
		}
	}
	for name, routes := range s.Stubs {
		validateStub(name, routes, s, ps)
	}
	for _, v := range s.Values {
		if !namePattern.MatchString(v.name) {
			ps.add(v.val.at, "value %q: a name of lowercase letters, digits and _", v.name)
		}
	}
	for _, d := range s.Data {
		validateData(d, ps)
	}
}

// reservedEnv are the variables the engine sets for every start.
var reservedEnv = map[string]bool{"PORT": true, "DATABASE_URL": true, "PGHOST": true, "PGPORT": true,
	"PGUSER": true, "PGPASSWORD": true, "PGDATABASE": true}

func validateLimits(l limitsSpec, ps *problems) {
	for _, c := range []struct {
		name string
		d    dur
		max  time.Duration
	}{{"build", l.Build, 30 * time.Minute}, {"release", l.Release, 10 * time.Minute}, {"ready", l.Ready, 5 * time.Minute}} {
		if c.d.d > c.max {
			ps.add(c.d.at, "limits.%s %s is above the most the grader allows (%s)", c.name, c.d.d, c.max)
		}
	}
}

func validateReference(s *spec, fsys fs.FS, ps *problems) Source {
	r := s.Reference
	if !r.set {
		if isDir(fsys, "reference") {
			return Source{Dir: "reference"}
		}
		ps.file("reference/", "no reference solution: add a reference/ folder or say `reference: {repo: URL}`")
		return Source{}
	}
	if r.Repo != "" {
		return Source{Repo: r.Repo, Ref: r.Ref}
	}
	return Source{Dir: bundleDir(r.Dir, r.at, fsys, "reference", ps)}
}

// bundleDir checks that dir is a folder inside the bundle and returns it cleaned.
func bundleDir(dir string, at pos, fsys fs.FS, what string, ps *problems) string {
	clean := path.Clean(dir)
	if !fs.ValidPath(clean) || clean == "." {
		ps.add(at, "%s %q: a folder inside the bundle, without .. or a leading /", what, dir)
		return ""
	}
	if !isDir(fsys, clean) {
		ps.add(at, "%s folder %q is not in the bundle", what, dir)
	}
	return clean
}

func isDir(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && st.IsDir()
}

var categories = map[string]grading.Category{
	string(grading.Correctness): grading.Correctness, string(grading.Migrations): grading.Migrations,
	string(grading.Endpoints): grading.Endpoints, string(grading.Quality): grading.Quality,
}

func validateChecks(s *spec, ps *problems) []grading.CheckDef {
	var defs []grading.CheckDef
	seen := map[string]bool{}
	total := 0
	for _, c := range s.Checks {
		def := grading.CheckDef{ID: c.ID.v, Title: c.Title.v, Points: c.Points, Visibility: grading.Visible}
		switch {
		case c.ID.v == "":
			ps.add(c.at, "a check needs an id")
		case !checkIDPattern.MatchString(c.ID.v):
			ps.add(c.ID.at, "check id %q is not of the form area.name (lowercase, digits, _)", c.ID.v)
		case strings.HasPrefix(c.ID.v, "setup."):
			ps.add(c.ID.at, "check id %q: setup checks are added by the grader", c.ID.v)
		case seen[c.ID.v]:
			ps.add(c.ID.at, "check %s declared twice", c.ID.v)
		}
		seen[c.ID.v] = true
		if c.Title.v == "" {
			ps.add(c.at, "check %s needs a title", c.ID.v)
		}
		if cat, ok := categories[c.Category.v]; ok {
			def.Category = cat
		} else {
			ps.add(orAt(c.Category.at, c.at), "check %s: category %q is not correctness, migrations, endpoints or quality", c.ID.v, c.Category.v)
		}
		if c.Points <= 0 {
			ps.add(c.at, "check %s needs positive points", c.ID.v)
		}
		total += c.Points
		switch c.Visibility.v {
		case "", grading.Visible:
		case grading.Hidden:
			def.Visibility = grading.Hidden
		default:
			ps.add(c.Visibility.at, "check %s: visibility %q is not visible or hidden", c.ID.v, c.Visibility.v)
		}
		if len(c.Steps) == 0 {
			ps.add(c.at, "check %s has no steps", c.ID.v)
		}
		for i, st := range c.Steps {
			validateStep(c.ID.v, st, i > 0 && hasHTTPBefore(c.Steps[:i]), ps)
		}
		defs = append(defs, def)
	}
	if len(s.Checks) > 0 && total != bundlePoints {
		ps.add(s.Checks[0].at, "the checks' points add up to %d, want %d (the grader adds the setup checks' 10)", total, bundlePoints)
	}
	return defs
}

func orAt(a, b pos) pos {
	if a.line == 0 {
		return b
	}
	return a
}

func hasHTTPBefore(steps []stepSpec) bool {
	for _, s := range steps {
		if s.kind == stepHTTP || (s.kind == stepPoll && s.Poll.Step != nil && s.Poll.Step.kind == stepHTTP) {
			return true
		}
	}
	return false
}

// Bounds of a step, so that a bundle cannot make a run endless.
const (
	maxAtOnce        = 500
	maxOpenLoopTotal = 100_000
	maxPollWithin    = 5 * time.Minute
	maxExecTimeout   = 10 * time.Minute
)

func validateStep(check string, st stepSpec, httpBefore bool, ps *problems) {
	switch st.kind {
	case stepHTTP:
		validateHTTP(check, st.HTTP, ps)
	case stepSQL:
		if st.SQL == nil || st.SQL.Query.v == "" {
			ps.add(st.at, "check %s: an sql step needs a query", check)
		}
	case stepRestart, stepFreshDatabase:
		if len(st.Expect)+len(st.Capture)+len(st.Metrics) > 0 {
			ps.add(st.at, "check %s: a %s step has nothing to expect, capture or measure", check, st.kind)
		}
	case stepStatements:
		if !httpBefore {
			ps.add(st.at, "check %s: a statements step counts what the previous http step sent; put one before it", check)
		}
	case stepConcurrent:
		c := st.Concurrent
		if c == nil || c.Request == nil {
			ps.add(st.at, "check %s: a concurrent step needs a request", check)
			return
		}
		validateHTTP(check, c.Request, ps)
		if len(c.Request.Status) > 0 {
			ps.add(c.Request.at, "check %s: a concurrent request has no status of its own; expect over `statuses`", check)
		}
		switch {
		case c.AtOnce > 0 && (c.Rate > 0 || c.Duration.set):
			ps.add(c.at, "check %s: a concurrent step has either at_once or rate and duration, not both", check)
		case c.AtOnce > maxAtOnce:
			ps.add(c.at, "check %s: at_once %d is above %d", check, c.AtOnce, maxAtOnce)
		case c.AtOnce == 0 && (c.Rate <= 0 || !c.Duration.set):
			ps.add(c.at, "check %s: a concurrent step needs at_once, or rate and duration", check)
		case c.AtOnce == 0 && c.Rate*c.Duration.d.Seconds() > maxOpenLoopTotal:
			ps.add(c.at, "check %s: rate × duration is above %d requests", check, maxOpenLoopTotal)
		}
	case stepPoll:
		p := st.Poll
		if p == nil || p.Step == nil {
			ps.add(st.at, "check %s: a poll step needs a step", check)
			return
		}
		if p.Step.kind == stepPoll || p.Step.kind == stepRestart || p.Step.kind == stepFreshDatabase {
			ps.add(p.Step.at, "check %s: a poll repeats an http, sql, statements, exec or concurrent step", check)
		}
		if len(p.Step.Expect) == 0 {
			ps.add(p.Step.at, "check %s: a polled step needs an expect to wait for", check)
		}
		if len(st.Expect) > 0 {
			ps.add(st.at, "check %s: put a poll's expect on its step", check)
		}
		if p.Within.d > maxPollWithin {
			ps.add(p.Within.at, "check %s: within %s is above %s", check, p.Within.d, maxPollWithin)
		}
		validateStep(check, *p.Step, httpBefore, ps)
	case stepExec:
		e := st.Exec
		if e == nil || e.Command.v == "" {
			ps.add(st.at, "check %s: an exec step needs a command", check)
			return
		}
		if e.Timeout.d > maxExecTimeout {
			ps.add(e.Timeout.at, "check %s: timeout %s is above %s", check, e.Timeout.d, maxExecTimeout)
		}
		if e.JUnit.v != "" && !fs.ValidPath(path.Clean(e.JUnit.v)) {
			ps.add(e.JUnit.at, "check %s: junit %q must be a path inside the checkout", check, e.JUnit.v)
		}
	}
}

var httpMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

func validateHTTP(check string, h *httpSpec, ps *problems) {
	if h == nil {
		return
	}
	if !httpMethods[h.Method.v] {
		ps.add(orAt(h.Method.at, h.at), "check %s: method %q is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS", check, h.Method.v)
	}
	if h.Path.v == "" || h.Path.v[0] != '/' {
		ps.add(orAt(h.Path.at, h.at), "check %s: path %q must start with /", check, h.Path.v)
	}
	if h.JSON != nil && h.Text != nil {
		ps.add(h.at, "check %s: a request has a json or a text body, not both", check)
	}
}

func validateVariants(s *spec, fsys fs.FS, ids map[string]bool, ps *problems) []Variant {
	var out []Variant
	seen := map[string]bool{}
	for _, v := range s.Variants {
		if !variantPattern.MatchString(v.Name.v) || v.Name.v == "reference" {
			ps.add(orAt(v.Name.at, v.at), "variant name %q: lowercase letters, digits and dashes, not \"reference\"", v.Name.v)
		}
		if seen[v.Name.v] {
			ps.add(v.Name.at, "variant %s listed twice", v.Name.v)
		}
		seen[v.Name.v] = true
		var src Source
		switch {
		case v.Repo.v != "" && v.Path.v != "":
			ps.add(v.at, "variant %s: a path or a repo, not both", v.Name.v)
		case v.Repo.v != "":
			src = Source{Repo: v.Repo.v, Ref: v.Ref.v}
		case v.Path.v != "":
			src = Source{Dir: bundleDir(v.Path.v, v.Path.at, fsys, "variant "+v.Name.v, ps)}
		default:
			ps.add(v.at, "variant %s needs a path (a folder of the bundle) or a repo", v.Name.v)
		}
		if len(v.Fails) == 0 {
			ps.add(v.at, "variant %s lists no check it fails", v.Name.v)
		}
		var fails []string
		for _, f := range v.Fails {
			if !ids[f.v] {
				ps.add(f.at, "variant %s: no check %q", v.Name.v, f.v)
			}
			fails = append(fails, f.v)
		}
		out = append(out, Variant{Name: v.Name.v, Source: src, Fails: fails})
	}
	return out
}

func validateStub(name string, routes stubRoutes, s *spec, ps *problems) {
	if len(routes) == 0 {
		return
	}
	at := routes[0].at
	if !envPattern.MatchString(name) || reservedEnv[name] {
		ps.add(at, "stub %q: its key is the variable set to its URL (A-Z, 0-9, _; not one the grader sets)", name)
	}
	if _, clash := s.Variables[name]; clash {
		ps.add(at, "stub %s has the name of a variable", name)
	}
	seen := map[string]bool{}
	for _, r := range routes {
		if !httpMethods[r.Method.v] {
			ps.add(orAt(r.Method.at, r.at), "stub %s: method %q is not an HTTP method", name, r.Method.v)
		}
		if r.Path.v == "" || r.Path.v[0] != '/' {
			ps.add(orAt(r.Path.at, r.at), "stub %s: path %q must start with /", name, r.Path.v)
		}
		key := r.Method.v + " " + r.Path.v
		if seen[key] {
			ps.add(r.at, "stub %s: route %s declared twice", name, key)
		}
		seen[key] = true
		if r.Body != nil && r.Text != nil {
			ps.add(r.at, "stub %s: a route answers a body or a text, not both", name)
		}
		if r.Status != 0 && (r.Status < 100 || r.Status > 599) {
			ps.add(r.at, "stub %s: status %d is not an HTTP status", name, r.Status)
		}
		if r.FailFirst < 0 {
			ps.add(r.at, "stub %s: fail_first cannot be negative", name)
		}
	}
}

func validateData(d dataSpec, ps *problems) {
	clean := path.Clean(d.Path.v)
	if d.Path.v == "" || !fs.ValidPath(clean) || clean == "." {
		ps.add(orAt(d.Path.at, d.at), "data path %q: a file inside the checkout, without .. or a leading /", d.Path.v)
	}
	if (d.JSON == nil) == (d.Text == nil) {
		ps.add(d.at, "data %s: give json or text, one of them", d.Path.v)
	}
}
