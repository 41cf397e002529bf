// Package pgwire is the PostgreSQL wire-protocol forwarder placed between a
// candidate's service and its per-submission database. It lets through only
// the submission's own user and database (whatever the server behind it
// would trust) or, with MapLogins, serves any other login the submission's
// own; it never connects as anyone else. It forwards everything else byte
// for byte and counts the SQL statements the service sends so that graders
// can measure, for example, an N+1 query pattern.
package pgwire

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards PostgreSQL connections to Upstream. Its fields must be set
// before Serve is called and not changed afterwards.
type Proxy struct {
	Upstream       string // host:port of the grading PostgreSQL server
	User, Database string // the only startup user and database let through
	// MapLogins serves a login as any other user or database (whatever its
	// password) with User and Database: the forward logs in upstream itself
	// with Password. Mapped lists them. Without it they are refused.
	MapLogins bool
	Password  string
	// Dial reaches Upstream; nil means a plain TCP dial.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	statements atomic.Int64
	tlsHangups atomic.Int64 // clients that hung up when TLS was declined
	logins     atomic.Int64 // logins let through or mapped

	mu       sync.Mutex
	refusals []string
	mapped   []Login
	conns    map[net.Conn]struct{} // open client and upstream connections
	closed   bool                  // Serve has returned: no new connections
	keys     map[string]int        // BackendKeyData of live sessions, for cancel requests
}

// startupTimeout bounds how long a client may take to say who it is; an idle
// half-open connection must not hold a goroutine forever.
const startupTimeout = 30 * time.Second

// maxRefusals caps the evidence kept, against a service reconnecting in a loop.
const maxRefusals = 100

// Serve accepts connections on l until l is closed, then closes the sessions
// still open and returns nil. Any other accept error is returned.
func (p *Proxy) Serve(l net.Listener) error {
	if p.Upstream == "" || p.User == "" || p.Database == "" {
		return errors.New("pgwire: Upstream, User and Database must be set")
	}
	if p.MapLogins && p.Password == "" {
		return errors.New("pgwire: MapLogins needs the submission's Password")
	}
	defer p.closeAll()
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("pgwire: accept: %w", err)
		}
		if !p.track(c) {
			c.Close()
			continue
		}
		go p.handle(c)
	}
}

// Statements is the number of statements counted so far over all sessions.
// Graders take differences around the requests they make.
func (p *Proxy) Statements() int64 { return p.statements.Load() }

// Refusals lists, in order, the connections refused and why.
func (p *Proxy) Refusals() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.refusals...)
}

func (p *Proxy) refuse(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.refusals) < maxRefusals {
		p.refusals = append(p.refusals, fmt.Sprintf(format, args...))
	}
}

// track registers an open connection so Serve can close it on the way out.
// It reports false once the proxy is shutting down.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	if p.conns == nil {
		p.conns = make(map[net.Conn]struct{})
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

func (p *Proxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
}

func (p *Proxy) dial(ctx context.Context) (net.Conn, error) {
	if p.Dial != nil {
		return p.Dial(ctx, "tcp", p.Upstream)
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	return d.DialContext(ctx, "tcp", p.Upstream)
}

// handle runs one client connection: startup checks, then the relay.
func (p *Proxy) handle(client net.Conn) {
	defer p.untrack(client)
	defer client.Close()
	in := bufio.NewReader(client)
	client.SetDeadline(time.Now().Add(startupTimeout))
	startup, how := p.startup(client, in)
	if how == refused {
		return
	}
	client.SetDeadline(time.Time{})
	if how == mapped {
		p.serveMapped(client, in, startup)
		return
	}

	ctx, cancel := context.WithTimeout(context.Background(), startupTimeout)
	server, err := p.dial(ctx)
	cancel()
	if err != nil {
		p.refuse("upstream %s unreachable: %v", p.Upstream, err)
		writeError(client, "FATAL", "08006", "assay: the grading database is unreachable")
		return
	}
	defer server.Close()
	if !p.track(server) {
		return
	}
	defer p.untrack(server)
	if _, err := server.Write(startup); err != nil {
		return
	}
	p.relay(client, in, server)
}
