package grading

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver for inspection
)

// requestTimeout bounds one HTTP request to the service: a check never hangs.
const requestTimeout = 10 * time.Second

// StartOptions are the take-home's additions to a start.
type StartOptions struct {
	// Env holds extra take-home variables for release and web.
	Env map[string]string
	// Endpoints are served by the grader where the service can reach them;
	// each key is a variable set to the endpoint's http://127.0.0.1:PORT URL.
	Endpoints map[string]http.Handler
}

// Backend is one started service as the engine runs it; Service is the
// suite's view of it. Exported for the same reason as Engine: the engine
// (package run) implements it.
type Backend interface {
	// Port is where the checks reach web: $PORT, or in an adaptive run the
	// port web listens on instead.
	Port() int
	// Dial connects to an address as seen from inside the service's box.
	Dial(ctx context.Context, network, addr string) (net.Conn, error)
	// Restart stops web, runs release again (unless o.SkipRelease) and
	// starts web on the same database, then waits until it is ready.
	Restart(ctx context.Context, o RestartOptions) error
	// Exec runs a command in the service's box, in its checkout, with the
	// service's environment and release's limits, bounded by timeout.
	Exec(ctx context.Context, command string, timeout time.Duration) (*ExecResult, error)
	// ReadFile reads a file of the checkout (through its os.Root: a link
	// out of the tree is refused), at most max bytes.
	ReadFile(name string, max int64) ([]byte, error)
	// Stop stops web for good.
	Stop(ctx context.Context) error
	// Statements counts the SQL statements the service has sent so far.
	Statements() int64
	// DirectURL reaches the service's database directly, not through the
	// counting forward.
	DirectURL() string
	// ForeignStores names the database files the service keeps outside
	// PostgreSQL (SQLite files in its checkout), for a reason that says
	// where the data went.
	ForeignStores() []string
}

// Service is the candidate's running service on one database.
type Service struct {
	be     Backend
	client *http.Client

	mu sync.Mutex
	db *sql.DB
}

func newService(be Backend) *Service {
	tr := &http.Transport{
		DialContext: be.Dial,
		// A fresh connection per request: a restarted service never sees a
		// connection left over from its previous life.
		DisableKeepAlives: true,
	}
	return &Service{be: be, client: newClient(tr)}
}

func newClient(tr *http.Transport) *http.Client {
	return &http.Client{Transport: tr, Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Pooled is a view of the service for a burst of requests (a load test)
// whose connections are kept and reused, up to conns idle ones: a new
// connection per request costs the grader a dial into the box for every
// request, which at a few hundred a second would measure the grader, not
// the service. Only Send and Do may be used on it, and release must be
// called when the burst ends, so that no kept connection outlives it (a
// restarted service must never see one).
func (s *Service) Pooled(conns int) (pooled *Service, release func()) {
	tr := &http.Transport{DialContext: s.be.Dial, MaxIdleConns: conns, MaxIdleConnsPerHost: conns}
	return &Service{be: s.be, client: newClient(tr)}, tr.CloseIdleConnections
}

// RestartOptions change how Restart brings the service back.
type RestartOptions struct {
	// SkipRelease starts web again without running release first: what a
	// deploy that only restarts the process does.
	SkipRelease bool
}

// Restart stops web, runs release again and starts web on the same
// database, then waits until it is ready.
func (s *Service) Restart(ctx context.Context) error { return s.be.Restart(ctx, RestartOptions{}) }

// RestartWithoutRelease stops web and starts it again on the same database
// without running release, then waits until it is ready.
func (s *Service) RestartWithoutRelease(ctx context.Context) error {
	return s.be.Restart(ctx, RestartOptions{SkipRelease: true})
}

// ExecResult is what a command run in the service's box did.
type ExecResult struct {
	ExitCode int    // -1 when it was killed (a limit, the timeout)
	Output   string // combined stdout and stderr, its tail
	// Message says how it ended in plain words ("exec exceeded 2 minutes").
	Message string
}

// Exec runs command in the service's box (the candidate's own tests, say),
// in the checkout, with the service's environment and release's limits, for
// at most timeout. The error is for the platform's failures; a command that
// fails or times out is in the result.
func (s *Service) Exec(ctx context.Context, command string, timeout time.Duration) (*ExecResult, error) {
	return s.be.Exec(ctx, command, timeout)
}

// ReadFile reads a file of the candidate's checkout (a report their tests
// wrote, say), at most max bytes; a link out of the checkout is refused.
func (s *Service) ReadFile(name string, max int64) ([]byte, error) { return s.be.ReadFile(name, max) }

// Stop stops web. The database is kept until the run ends.
func (s *Service) Stop(ctx context.Context) error {
	s.closeDB()
	return s.be.Stop(ctx)
}

// Statements is the number of SQL statements the service has sent to its
// database so far (simple queries and extended-protocol executions).
func (s *Service) Statements() int64 { return s.be.Statements() }

// DB is a direct connection to the service's database for inspection
// (information_schema, pg_catalog, data). Its statements are not counted.
func (s *Service) DB() *sql.DB {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		db, err := sql.Open("pgx", s.be.DirectURL())
		if err != nil {
			// sql.Open only fails for an unknown driver, which the import above rules out.
			panic(fmt.Sprintf("grading: open inspection connection: %v", err))
		}
		db.SetMaxOpenConns(2)
		s.db = db
	}
	return s.db
}

func (s *Service) closeDB() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db != nil {
		s.db.Close()
		s.db = nil
	}
}

// URL is the service's base URL as the grader reaches it.
func (s *Service) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", s.be.Port()) }

// NoTablesReason says, when the service's database holds no table of its
// own, where the data went instead, in one line a candidate can act on:
// "no tables in PostgreSQL; found a SQLite file `data/app.sqlite`: keep the
// data in the database at $DATABASE_URL". It is "" when there are tables (or
// the database cannot be inspected: the check's own reason says so then).
// A suite puts it first in the failure of a check that looks for its tables,
// so a store outside PostgreSQL is named once as the cause.
func (s *Service) NoTablesReason(ctx context.Context) string {
	var n int
	err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`).Scan(&n)
	if err != nil || n > 0 {
		return ""
	}
	reason := "no tables in PostgreSQL"
	if files := s.be.ForeignStores(); len(files) > 0 {
		reason += "; found a SQLite file `" + files[0] + "`"
		if len(files) > 1 {
			reason += fmt.Sprintf(" (and %d more)", len(files)-1)
		}
	}
	return reason + ": keep the data in the database at $DATABASE_URL"
}
