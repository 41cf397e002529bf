package pgwire

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/testenv"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// harness is a proxy in front of a fresh test database, allowing user
// "postgres" on that database only, and counting its upstream dials.
type harness struct {
	proxy *Proxy
	addr  string // the proxy's listening address
	db    string // the test database's name
	dials atomic.Int64
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	dbURL, err := url.Parse(testenv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{db: strings.TrimPrefix(dbURL.Path, "/")}
	h.proxy = &Proxy{
		Upstream: dbURL.Host,
		User:     "postgres",
		Database: h.db,
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			h.dials.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = l.Addr().String()
	served := make(chan error, 1)
	go func() { served <- h.proxy.Serve(l) }()
	t.Cleanup(func() {
		l.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return h
}

// url is a client URL through the proxy. sslmode=prefer makes clients send an
// SSLRequest first, which the proxy must decline.
func (h *harness) url(user, db string) string {
	u := "postgres://" + user + "@" + h.addr + "/" + db + "?sslmode=prefer"
	if db == "" {
		u = "postgres://" + user + "@" + h.addr + "?sslmode=prefer"
	}
	return u
}

func (h *harness) connect(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), h.url("postgres", h.db))
	if err != nil {
		t.Fatalf("connect through the proxy: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// counted runs fn and returns how many statements the proxy counted meanwhile.
func (h *harness) counted(t *testing.T, fn func() error) int64 {
	t.Helper()
	before := h.proxy.Statements()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
	return h.proxy.Statements() - before
}

func TestCountsSimpleAndExtendedStatements(t *testing.T) {
	h := newHarness(t)
	conn := h.connect(t)
	ctx := context.Background()
	pg := conn.PgConn()

	cases := []struct {
		name string
		want int64
		fn   func() error
	}{
		{"simple, one statement", 1, func() error {
			return pg.Exec(ctx, "create table items (id int primary key, name text)").Close()
		}},
		{"simple, three statements in one query", 3, func() error {
			return pg.Exec(ctx, "insert into items values (1, 'a;b'); insert into items values (2, $$;$$); select count(*) from items").Close()
		}},
		{"extended, ten queries", 10, func() error {
			for i := range 10 {
				var n int
				if err := conn.QueryRow(ctx, "select count(*) from items where id > $1", i).Scan(&n); err != nil {
					return err
				}
			}
			return nil
		}},
		{"extended, a batch of five", 5, func() error {
			b := &pgx.Batch{}
			for i := range 5 {
				b.Queue("insert into items values ($1, 'x')", 10+i)
			}
			return conn.SendBatch(ctx, b).Close()
		}},
		{"transaction: begin, insert, commit", 3, func() error {
			tx, err := conn.Begin(ctx)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "insert into items values ($1, 'y')", 100); err != nil {
				return err
			}
			return tx.Commit(ctx)
		}},
	}
	for _, tc := range cases {
		if got := h.counted(t, tc.fn); got != tc.want {
			t.Errorf("%s: counted %d statements, want %d", tc.name, got, tc.want)
		}
	}
}

func TestRefusesOtherUsersAndDatabases(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ user, db string }{
		{"postgres", "postgres"},
		{"postgres", ""}, // database defaults to the user name
		{"someone_else", h.db},
		{"postgres", "template1"},
	} {
		conn, err := pgx.Connect(context.Background(), h.url(tc.user, tc.db))
		if err == nil {
			conn.Close(context.Background())
			t.Errorf("user %q database %q: connected, want refusal", tc.user, tc.db)
			continue
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "28000" || pgErr.Severity != "FATAL" {
			t.Errorf("user %q database %q: error %v, want FATAL 28000", tc.user, tc.db, err)
			continue
		}
		if !strings.Contains(pgErr.Message, "$DATABASE_URL") || !strings.Contains(pgErr.Message, h.db) {
			t.Errorf("refusal message %q does not tell the way in", pgErr.Message)
		}
	}
	if n := h.dials.Load(); n != 0 {
		t.Errorf("upstream dialed %d times for refused logins, want 0", n)
	}
	if got := h.proxy.Refusals(); len(got) != 4 {
		t.Errorf("refusals = %q, want 4 entries", got)
	}
}

func TestCancelReachesOwnSessionOnly(t *testing.T) {
	h := newHarness(t)
	conn := h.connect(t)

	// pgconn sends the CancelRequest to the address it connected to: the proxy.
	go func() {
		time.Sleep(300 * time.Millisecond)
		conn.PgConn().CancelRequest(context.Background())
	}()
	start := time.Now()
	_, err := conn.Exec(context.Background(), "select pg_sleep(20)")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
		t.Fatalf("pg_sleep(20) ended with %v, want query_canceled (57014) from the server", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("cancel took %v", d)
	}

	// A cancel request with a key the proxy never saw is dropped.
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	pkt := make([]byte, 16)
	binary.BigEndian.PutUint32(pkt[0:], 16)
	binary.BigEndian.PutUint32(pkt[4:], codeCancel)
	binary.BigEndian.PutUint32(pkt[8:], 1)
	binary.BigEndian.PutUint32(pkt[12:], 12345)
	c.Write(pkt)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	c.Read(make([]byte, 1)) // returns once the proxy has closed
	c.Close()
	found := false
	for _, r := range h.proxy.Refusals() {
		found = found || strings.Contains(r, "cancel request")
	}
	if !found {
		t.Errorf("unknown cancel request not reported; refusals %q", h.proxy.Refusals())
	}
}

// TestLibpqClient runs psql (libpq, as used by lib/pq-compatible stacks,
// Python and Node drivers follow the same protocol) through the proxy.
func TestLibpqClient(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal("psql is missing: deploy/ensure-services.sh installs postgresql-client, which pg_dump needs anyway")
	}
	h := newHarness(t)
	before := h.proxy.Statements()
	out, err := exec.Command(psql, h.url("postgres", h.db)+"&gssencmode=prefer", "-Atc", "select 40 + 2; select 'x;y'").CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	if got := string(out); got != "42\nx;y\n" {
		t.Errorf("psql printed %q", got)
	}
	if got := h.proxy.Statements() - before; got != 2 {
		t.Errorf("counted %d statements, want 2", got)
	}
	out, err = exec.Command(psql, h.url("postgres", "postgres"), "-Atc", "select 1").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "$DATABASE_URL") {
		t.Errorf("psql to another database: err %v, output %q; want the refusal message", err, out)
	}
}

func TestServeClosesSessionsWhenListenerCloses(t *testing.T) {
	dbURL, err := url.Parse(testenv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Upstream: dbURL.Host, User: "postgres", Database: strings.TrimPrefix(dbURL.Path, "/")}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- p.Serve(l) }()
	conn, err := pgx.Connect(context.Background(), "postgres://postgres@"+l.Addr().String()+dbURL.Path+"?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	l.Close()
	if err := <-served; err != nil {
		t.Fatalf("Serve returned %v, want nil", err)
	}
	if err := conn.Ping(context.Background()); err == nil {
		t.Error("session still usable after Serve returned")
	}
}
