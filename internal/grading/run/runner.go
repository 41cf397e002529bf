// Package run is the grading engine: it grades one submission by fetching
// it, preparing and building it, starting the service in a sandbox as often
// as the suite asks (each start on a new database behind a counting forward)
// and letting the suite drive it, and returns the scorecard. Procfile parsing
// and build detection live here too. Suites never import it: they are written
// against package grading, which knows nothing of the sandbox.
package run

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/gradingdb"
	"github.com/assayhq/assay/internal/sandbox"
	"github.com/assayhq/assay/internal/snapshot"
)

// Options say what to grade and with what.
type Options struct {
	Suite   *grading.Suite
	RepoURL string
	Ref     string // branch, tag or commit; "" for the default branch
	Sandbox *sandbox.Manager
	DB      *gradingdb.Server
	Fetch   gitfetch.Options // AllowLocal only for the command line and tests
	// Seed of the generated data; 0 derives it from the commit, so that
	// grading the same commit twice gives the same verdicts.
	Seed int64
	// Limits override the contract's defaults per phase ("build", "release", "web").
	Limits map[string]sandbox.Limits
	// ReadyTimeout is how long web has to listen on $PORT (default 60 s).
	ReadyTimeout time.Duration
	// OnPhase, when set, is told when each phase begins (progress output).
	OnPhase func(phase string)
	// OnSnapshot, when set, receives the checkout's text files as fetched,
	// before anything runs in it (the reviewer's code browser).
	OnSnapshot func(*snapshot.Snapshot)
	// Mode is grading.ModeAdaptive (the default) or grading.ModeStrict.
	Mode string
	// Label names this run's sandbox ("grade-<label>") and prefixes its
	// databases, so that whoever takes over a crashed run can find what it
	// left; [a-z0-9] only, unique per run. Default: random.
	Label string
}

// Time limits of the contract that are the grader's own to enforce.
const (
	defaultReadyTimeout = 60 * time.Second // web must listen on $PORT within this
	readyPollWindow     = 10 * time.Second // then ReadyPath must answer below 500 within this
	cleanupTimeout      = 2 * time.Minute
)

// unsafeNotice is the first line of every scorecard graded without a sandbox.
const unsafeNotice = "graded without a sandbox (ASSAY_SANDBOX=unsafe-local): the submission ran as a plain process on the grading machine"

// Run grades one submission: fetch, prepare, build, then the suite drives
// the service. It returns a scorecard whatever the candidate's code does;
// an error only for options that cannot describe a run. The box, the
// databases and every process are gone when it returns, also on panic or
// cancellation.
func Run(ctx context.Context, o Options) (card *grading.Scorecard, err error) {
	if o.Suite == nil || o.Sandbox == nil || o.DB == nil || o.RepoURL == "" {
		return nil, errors.New("grading: suite, sandbox, database server and repository are required")
	}
	if err := o.Suite.Validate(); err != nil {
		return nil, err
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = defaultReadyTimeout
	}
	if o.Mode == "" {
		o.Mode = grading.ModeAdaptive
	}
	if !grading.ValidMode(o.Mode) {
		return nil, fmt.Errorf("grading: mode %q is neither adaptive nor strict", o.Mode)
	}
	card = &grading.Scorecard{Takehome: o.Suite.Slug, SuiteVersion: o.Suite.Version, Status: grading.StatusGraded,
		Metrics: map[string]float64{}, Notices: []string{}, Phases: []grading.Phase{},
		Mode: o.Mode, Adaptations: []grading.Adaptation{}}
	if o.Sandbox.Unsafe() {
		card.Notices = append(card.Notices, unsafeNotice)
	}
	log := slog.With("takehome", o.Suite.Slug, "repo", o.RepoURL)

	if o.Label == "" {
		o.Label = randomHex(8)
	}
	// The engine exists before its box so that the grader, which marks the
	// checks not run on any failure, exists from the start.
	eng := &boxEngine{o: o, card: card}
	g := grading.NewGrader(ctx, o.Suite, eng, card)
	eng.grader = g
	box, err := o.Sandbox.NewBox(ctx, "grade-"+o.Label)
	if err != nil {
		platformFailure(card, g, fmt.Sprintf("no sandbox could be created: %v", err))
		return card, nil
	}
	eng.box = box
	defer func() {
		// Cleanup must happen even when ctx is canceled. The grader has
		// closed its inspection connection by now (Finish or NotRunAll ran),
		// so every database can be dropped.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		eng.teardown(cctx, log)
		if err := box.Close(); err != nil {
			log.Error("close sandbox box", "err", err)
		}
	}()
	defer func() {
		if r := recover(); r != nil {
			log.Error("grader panic", "panic", r, "stack", string(debug.Stack()))
			platformFailure(card, g, fmt.Sprintf("the grader failed (a bug on our side, not the submission's): %v", r))
		}
	}()

	if !eng.fetch(ctx, g) || !eng.prepare(ctx, g) || !eng.build(ctx, g) {
		return card, nil
	}
	gradeErr := o.Suite.Grade(ctx, g)
	if eng.current != nil {
		eng.noteMappedLogins(eng.current.proxy) // before the setup checks are judged
	}
	switch {
	case g.FirstStartError() != nil:
		card.Status = grading.StatusStartFailed
		g.NotRunAll("not run: the service did not start (" + g.FirstStartError().Error() + ")")
	case eng.platformErr != nil:
		platformFailure(card, g, fmt.Sprintf("grading stopped on our side: %v", eng.platformErr))
	case ctx.Err() != nil:
		platformFailure(card, g, fmt.Sprintf("grading was interrupted: %v", context.Cause(ctx)))
	case gradeErr != nil:
		platformFailure(card, g, fmt.Sprintf("the grader failed: %v", gradeErr))
	default:
		g.Finish("not run: the suite did not reach this check")
	}
	return card, nil
}

// platformFailure marks a run that failed on the platform's side: status
// error, every check not run, the submission may be graded again.
func platformFailure(card *grading.Scorecard, g *grading.Grader, msg string) {
	card.Status = grading.StatusError
	card.Notices = append(card.Notices, msg)
	g.NotRunAll("not run: " + msg)
}

// fetch checks the repository out into the box.
func (e *boxEngine) fetch(ctx context.Context, g *grading.Grader) bool {
	e.phaseBegins("fetch")
	start := time.Now()
	// git meets the candidate's server and repository as the box's own
	// unprivileged user, never as root.
	fetch := e.o.Fetch
	fetch.RunAs = e.box.Owner()
	if e.o.OnSnapshot != nil {
		fetch.History = historyCommits // for the reviewer's summary; best effort
	}
	res, err := gitfetch.Fetch(ctx, e.o.RepoURL, e.o.Ref, e.box.Dir(), fetch)
	p := grading.Phase{Name: "fetch", Status: grading.PhaseOK, DurationMS: time.Since(start).Milliseconds()}
	if err != nil {
		p.Status, p.ExitCode, p.Message = grading.PhaseFailed, -1, err.Error()
		e.card.Phases = append(e.card.Phases, p)
		e.card.Status = grading.StatusError
		g.NotRunAll("not run: the repository could not be fetched")
		return false
	}
	e.card.Phases = append(e.card.Phases, p)
	e.card.Commit = res.Commit
	e.card.Seed = e.o.Seed
	if e.card.Seed == 0 {
		e.card.Seed = defaultSeed(res.Commit)
	}
	root, err := os.OpenRoot(e.box.Dir())
	if err != nil {
		platformFailure(e.card, g, fmt.Sprintf("the checkout could not be opened: %v", err))
		return false
	}
	e.root = root
	e.keepSnapshot(res)
	return true
}

// prepare lets the suite write its data files into the checkout.
func (e *boxEngine) prepare(ctx context.Context, g *grading.Grader) bool {
	if e.o.Suite.Prepare == nil {
		return true
	}
	e.phaseBegins("prepare")
	start := time.Now()
	prep := &grading.Prep{Seed: e.card.Seed, Checkout: e.root}
	err := e.o.Suite.Prepare(ctx, prep)
	p := grading.Phase{Name: "prepare", Status: grading.PhaseOK, DurationMS: time.Since(start).Milliseconds(), Message: prep.Message}
	if err != nil {
		// The checkout is the candidate's: a file in the way (a symlink out of
		// the tree, a directory where a data file belongs) is theirs to fix.
		p.Status, p.ExitCode = grading.PhaseFailed, -1
		p.Message = fmt.Sprintf("the take-home's data files could not be written into the repository: %v", err)
		e.card.Phases = append(e.card.Phases, p)
		e.card.Status = grading.StatusBuildFailed
		g.NotRunAll("not run: the repository could not be prepared")
		return false
	}
	e.card.Phases = append(e.card.Phases, p)
	g.SetPrepared(prep.Found)
	return true
}

// build reads the Procfile and runs the build line or the detected build.
// An adaptive run without a web line builds as detection says, then
// detects how to start what it built.
func (e *boxEngine) build(ctx context.Context, g *grading.Grader) bool {
	e.phaseBegins("build")
	pf, err := readProcfile(e.root)
	detect := e.o.Mode == grading.ModeAdaptive && (errors.Is(err, errNoProcfile) || errors.Is(err, errNoWebLine))
	if err != nil && !detect {
		e.card.Phases = append(e.card.Phases, grading.Phase{Name: "build", Status: grading.PhaseFailed, ExitCode: -1, Message: err.Error()})
		e.card.Status = grading.StatusBuildFailed
		g.NotRunAll("not run: the submission has no usable Procfile")
		return false
	}
	if pf == nil {
		pf = &Procfile{}
	}
	e.procfile = pf
	buildSays := ""
	if detect && pf.Build == "" {
		pf.Build, buildSays = detectedBuild(e.root)
	}
	if !e.runBuild(ctx, g, buildCommand(e.root, pf)) {
		return false
	}
	if detect {
		e.startByDetection(g, errors.Is(err, errNoProcfile), buildSays)
	}
	return true
}

// startByDetection fills the web line (and a Django release) of a repository
// without one and records the adaptation; when nothing is found, the first
// start fails saying what was looked for.
func (e *boxEngine) startByDetection(g *grading.Grader, noProcfile bool, buildSays string) {
	missing, fix := "the Procfile has no web: line", "add a web: line to the Procfile"
	if noProcfile {
		missing, fix = "no Procfile", "add a Procfile with a web: line"
	}
	plan := e.composeStart()
	var err error
	if plan.Web == "" {
		plan, err = detectStart(e.root)
	}
	if err != nil {
		e.noStart = missing + ", and " + err.Error() + ": " + fix
		return
	}
	e.procfile.Web = plan.Web
	if e.procfile.Release == "" {
		e.procfile.Release = plan.Release
	}
	g.Adapt(grading.SetupProcfile.ID, detectedProcfileLine(missing, buildSays, plan))
}

// composeStart is the start command the repository's compose file gives its
// app service: the candidate's own word on how the service starts, so it
// comes before the buildpacks' conventions. An empty plan when there is none.
func (e *boxEngine) composeStart() startPlan {
	cfg := e.repoConfig()
	if cfg.command == "" {
		return startPlan{}
	}
	return startPlan{Web: cfg.command, Says: "started with `" + cfg.command + "` from " + cfg.commandFrom}
}

// runBuild runs the build command in the box; "" means nothing to build.
func (e *boxEngine) runBuild(ctx context.Context, g *grading.Grader, cmd string) bool {
	if cmd == "" {
		e.card.Phases = append(e.card.Phases, grading.Phase{Name: "build", Status: grading.PhaseSkipped, Message: "nothing to build"})
		return true
	}
	res, err := e.box.Run(ctx, sandbox.Spec{Phase: "build", Command: cmd, Env: map[string]string{},
		Limits: e.limits("build"), Egress: true})
	if err != nil {
		platformFailure(e.card, g, fmt.Sprintf("the build could not be run: %v", err))
		return false
	}
	p := phaseOf("build", res)
	p.Message = cmd + ": " + res.Message
	if !res.OK() && res.PlatformFault == "" {
		p.Message = failureMessage(res, cmd)
	}
	switch {
	case res.PlatformFault != "":
		p.Status = grading.PhaseError
		e.card.Phases = append(e.card.Phases, p)
		platformFailure(e.card, g, "the build could not reach a package registry ("+res.PlatformFault+"); the submission can be graded again")
		return false
	case !res.OK():
		e.card.Phases = append(e.card.Phases, p)
		e.card.Status = grading.StatusBuildFailed
		g.NotRunAll("not run: the build failed (" + failureMessage(res, "") + ")")
		return false
	}
	e.card.Phases = append(e.card.Phases, p)
	return true
}

func (e *boxEngine) limits(phase string) sandbox.Limits {
	if l, ok := e.o.Limits[phase]; ok {
		return l
	}
	return sandbox.DefaultLimits(phase)
}

func (e *boxEngine) phaseBegins(name string) {
	if e.o.OnPhase != nil {
		e.o.OnPhase(name)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
