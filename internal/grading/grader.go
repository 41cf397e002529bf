package grading

import (
	"context"
	"errors"
	"fmt"
)

// Grader is what a suite's Grade function drives: it starts the service,
// runs checks and records their verdicts on the scorecard.
type Grader struct {
	ctx     context.Context
	suite   *Suite
	eng     Engine
	card    *Scorecard
	results map[string]*CheckResult
	starts  int
	current *Service // the last service started: its inspection connection closes with it
	// firstStart is set when the first Start failed: the engine then reports
	// start_failed and marks every check not run.
	firstStart *StartError
	// started is set once a Start succeeded: only then are the setup checks
	// judged (a service that never ran followed nothing and adapted nothing).
	started bool
	// prepared is what the suite's Prepare found (Prep.Found).
	prepared any
}

// Engine starts the candidate's service for Grader.Start. It is exported
// because the engine lives in package run, which this package must not import
// (graders compile without the sandbox); run's sandboxed engine is the
// production one, and it records phases on the scorecard itself.
type Engine interface {
	Start(ctx context.Context, o StartOptions) (Backend, error)
}

// StartError says why the service could not be started, in words a candidate
// understands ("web did not listen on $PORT (8080) within 60 s; it listened on 3000").
type StartError struct {
	Phase   string // "release" or "web"
	Message string
}

func (e *StartError) Error() string { return e.Phase + ": " + e.Message }

// NewGrader is the Grader a suite's Grade drives, recording on card. It is
// exported for the engine (package run), which makes one per run; suites are
// handed theirs. card.Seed must be set before Grade runs: it is the Grader's Seed.
func NewGrader(ctx context.Context, s *Suite, eng Engine, card *Scorecard) *Grader {
	return &Grader{ctx: ctx, suite: s, eng: eng, card: card, results: map[string]*CheckResult{}}
}

// Seed is the seed of this run's generated data (recorded on the scorecard,
// so a run can be reproduced with `assay grade --seed`).
func (g *Grader) Seed() int64 { return g.card.Seed }

// Prepared is what the suite's Prepare left in Prep.Found; nil without one.
func (g *Grader) Prepared() any { return g.prepared }

// SetPrepared hands Prep.Found to Grade. Exported for the engine (package
// run), which runs Prepare; a suite never calls it.
func (g *Grader) SetPrepared(found any) { g.prepared = found }

// Start creates a new empty database, runs release and web against it and
// waits until the service is ready. Only one service runs at a time: a
// service still running is stopped first. When the first Start fails the
// whole run is start_failed; later failures are for the suite to turn into
// failed checks. The error is a *StartError when the candidate's service is
// at fault.
func (g *Grader) Start(ctx context.Context, o StartOptions) (*Service, error) {
	g.starts++
	if g.current != nil {
		g.current.closeDB()
	}
	be, err := g.eng.Start(ctx, o)
	if err != nil {
		var se *StartError
		if g.starts == 1 && errors.As(err, &se) {
			g.firstStart = se
		}
		return nil, err
	}
	g.current = newService(be)
	g.started = true
	return g.current, nil
}

// Check runs one declared check. It passes unless fn calls c.Failf. Each
// check is recorded once; an undeclared or repeated id is a bug in the suite.
func (g *Grader) Check(id string, fn func(c *C)) {
	def := g.def(id)
	c := &C{ctx: g.ctx, evidence: map[string]any{}}
	fn(c)
	r := g.record(def)
	r.Evidence = c.evidence
	if c.message != "" {
		r.Status, r.Message = CheckFailed, c.message
		return
	}
	r.Status, r.Score = CheckPassed, def.Points
}

// NotRun records that a check could not run, and why (for example because
// the service did not come back after a restart).
func (g *Grader) NotRun(id, reason string) {
	r := g.record(g.def(id))
	r.Status, r.Message = CheckNotRun, reason
}

// Metric records a measured figure on the scorecard (for example
// list_endpoint_sql_statements).
func (g *Grader) Metric(name string, v float64) { g.card.Metrics[name] = v }

func (g *Grader) def(id string) CheckDef {
	def, ok := g.suite.check(id)
	if !ok {
		panic(fmt.Sprintf("grading: suite %s has no check %q", g.suite.Slug, id))
	}
	if _, dup := g.results[id]; dup {
		panic(fmt.Sprintf("grading: check %q recorded twice", id))
	}
	return def
}

func (g *Grader) record(def CheckDef) *CheckResult {
	r := &CheckResult{ID: def.ID, Title: def.Title, Category: def.Category, MaxScore: def.Points,
		Visibility: def.Visibility, Evidence: map[string]any{}}
	g.results[def.ID] = r
	return r
}

// FirstStartError is why the run's first Start failed, nil when it did not:
// the engine then reports start_failed (a later failed Start is the suite's
// to turn into failed checks). Exported for the engine (package run).
func (g *Grader) FirstStartError() *StartError { return g.firstStart }

// Finish ends the suite's part of the run: it closes the last service's
// inspection connection, so that its database can be dropped, and puts every
// declared check on the scorecard in the suite's order; checks the suite never
// recorded are not run, with reason. Exported for the engine (package run),
// which calls it once Grade has returned; a suite never calls it.
func (g *Grader) Finish(reason string) {
	if g.current != nil {
		g.current.closeDB()
	}
	if g.started {
		g.judgeSetup()
	}
	g.card.Checks = g.card.Checks[:0]
	for _, def := range g.suite.Checks {
		r, ok := g.results[def.ID]
		if !ok {
			r = g.record(def)
			r.Status, r.Message = CheckNotRun, reason
		}
		g.card.Checks = append(g.card.Checks, *r)
	}
	g.card.total()
}

// NotRunAll ends the run like Finish but marks every check not run, whatever
// the suite recorded: the service never got as far as the checks, or the run
// failed on the platform's side. Exported for the engine (package run); a
// suite never calls it.
func (g *Grader) NotRunAll(reason string) {
	g.results = map[string]*CheckResult{}
	g.started = false
	g.Finish(reason)
}
