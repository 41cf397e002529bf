package run

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/gradingdb"
	"github.com/assayhq/assay/internal/pgwire"
	"github.com/assayhq/assay/internal/sandbox"
)

// outputTailBytes is how much of a phase's output the scorecard keeps.
const outputTailBytes = 8 << 10

// boxEngine runs the submission in one sandbox box: each Start gets a new
// database, a pgwire forward at 127.0.0.1:5432 inside the box, the suite's
// endpoints, then release and web.
type boxEngine struct {
	o        Options
	box      *sandbox.Box
	card     *grading.Scorecard
	root     *os.Root
	procfile *Procfile
	grader   *grading.Grader // prices the adaptations of the run
	// noStart says why an adaptive run found no way to start the service.
	noStart string
	// portAdapted: the adaptation to another port is recorded once per run.
	portAdapted bool

	dbs         []*gradingdb.Database // dropped at teardown; the first one's schema is dumped
	current     *boxService
	launches    int
	platformErr error // a failure on our side during a Start

	repoDB  repoDatabase // the repository's own database settings (adaptive runs)
	repoCfg *repoConfig  // the repository's .env and compose files, once read (repoConfig)
}

// Start is grading.Engine's: the grader calls it for each Start of the suite.
func (e *boxEngine) Start(ctx context.Context, o grading.StartOptions) (grading.Backend, error) {
	if e.current != nil {
		if err := e.current.Stop(ctx); err != nil {
			return nil, err
		}
	}
	s, err := e.newService(ctx, o)
	if err != nil {
		e.platformErr = err
		return nil, err
	}
	if err := s.launch(ctx, true); err != nil {
		s.closeListeners()
		var se *grading.StartError
		if !errors.As(err, &se) {
			e.platformErr = err
		}
		return nil, err
	}
	e.current = s
	if e.launches == 1 {
		e.phaseBegins("checks") // the service answered: the suite's checks run now
	}
	return s, nil
}

// newService creates the database and the listeners of one Start.
func (e *boxEngine) newService(ctx context.Context, o grading.StartOptions) (*boxService, error) {
	d, err := e.o.DB.Create(ctx, e.o.Label)
	if err != nil {
		return nil, fmt.Errorf("create the submission's database: %w", err)
	}
	e.dbs = append(e.dbs, d)
	s := &boxService{e: e, db: d}
	dbl, err := e.box.Listen("127.0.0.1:5432")
	if err != nil {
		return nil, fmt.Errorf("listen for the database forward: %w", err)
	}
	s.listeners = append(s.listeners, dbl)
	s.proxy = &pgwire.Proxy{Upstream: net.JoinHostPort(d.Host, strconv.Itoa(d.Port)), User: d.User, Database: d.Name,
		Password: d.Password, MapLogins: e.o.Mode == grading.ModeAdaptive}
	go s.proxy.Serve(dbl)
	dbAddr := dbl.Addr().(*net.TCPAddr)
	env := map[string]string{
		"DATABASE_URL": d.URL(dbAddr.String()),
		"PGHOST":       dbAddr.IP.String(), "PGPORT": strconv.Itoa(dbAddr.Port),
		"PGUSER": d.User, "PGPASSWORD": d.Password, "PGDATABASE": d.Name,
	}
	for name, h := range o.Endpoints {
		l, err := e.box.Listen("127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("listen for endpoint %s: %w", name, err)
		}
		s.listeners = append(s.listeners, l)
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(l)
		env[name] = "http://" + l.Addr().String()
	}
	if s.webPort, err = e.freePort(); err != nil {
		return nil, err
	}
	env["PORT"] = strconv.Itoa(s.webPort)
	for k, v := range o.Env {
		env[k] = v
	}
	e.addRepoDatabaseEnv(env, dbAddr)
	s.env = env
	return s, nil
}

// freePort picks a port nobody listens on where the service will run.
func (e *boxEngine) freePort() (int, error) {
	l, err := e.box.Listen("127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a port for web: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// teardown stops what still runs, keeps the first database's schema on the
// scorecard and drops every database.
func (e *boxEngine) teardown(ctx context.Context, log *slog.Logger) {
	if e.current != nil {
		if err := e.current.Stop(ctx); err != nil {
			log.Error("stop web", "err", err)
		}
	}
	for i, d := range e.dbs {
		if i == 0 {
			dump, err := e.o.DB.DumpSchema(ctx, d)
			if err != nil {
				log.Warn("schema dump", "err", err)
				dump = "-- the schema could not be dumped: " + err.Error()
			}
			e.card.SchemaDump = dump
		}
		if err := e.o.DB.Drop(ctx, d); err != nil {
			log.Error("drop submission database", "db", d.Name, "err", err)
		}
	}
	e.dbs = nil
	if e.root != nil {
		e.root.Close()
	}
}

// record appends a phase to the scorecard.
func (e *boxEngine) record(p grading.Phase) { e.card.Phases = append(e.card.Phases, p) }

// phaseOf turns a sandbox result into a scorecard phase.
func phaseOf(name string, r *sandbox.Result) grading.Phase {
	p := grading.Phase{Name: name, Status: grading.PhaseOK, DurationMS: r.Duration.Milliseconds(), ExitCode: r.ExitCode,
		OutputTail: tail(r.Output, outputTailBytes), Message: r.Message}
	if !r.OK() {
		p.Status, p.Message = grading.PhaseFailed, failureMessage(r, "")
	}
	return p
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "… (earlier output cut)\n" + s
}
