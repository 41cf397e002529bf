package pgwire

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/gradingdb"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// submissionDatabases creates n submission roles and databases as the
// engine does (random password, database no other role may connect to).
func submissionDatabases(t *testing.T, n int) []*gradingdb.Database {
	t.Helper()
	ctx := context.Background()
	srv, err := gradingdb.Open(ctx, testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	var dbs []*gradingdb.Database
	for range n {
		d, err := srv.Create(ctx, "pgwiretest")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Drop(context.Background(), d) })
		dbs = append(dbs, d)
	}
	return dbs
}

// serve runs p on a fresh loopback port and returns its address.
func serve(t *testing.T, p *Proxy) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- p.Serve(l) }()
	t.Cleanup(func() {
		l.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return l.Addr().String()
}

// TestMappedLoginReachesOnlyTheSubmissionsOwnDatabase: with MapLogins, any
// login (postgres/postgres to "app", another submission's real credentials,
// a wrong password for the submission's own user) lands in the submission's
// own role and database, and is reported once per distinct login.
func TestMappedLoginReachesOnlyTheSubmissionsOwnDatabase(t *testing.T) {
	dbs := submissionDatabases(t, 2)
	mine, other := dbs[0], dbs[1]
	p := &Proxy{Upstream: net.JoinHostPort(mine.Host, strconv.Itoa(mine.Port)),
		User: mine.User, Database: mine.Name, Password: mine.Password, MapLogins: true}
	addr := serve(t, p)
	for _, login := range []struct{ user, password, db string }{
		{"postgres", "postgres", "app"},
		{"postgres", "postgres", "app"}, // the same login again: reported once
		{other.User, other.Password, other.Name},
		{mine.User, "not-the-password", "shopping"},
		{"postgres", "", ""}, // database defaults to the user name
	} {
		u := "postgres://" + login.user + ":" + login.password + "@" + addr + "/" + login.db + "?sslmode=prefer&application_name=probe"
		conn, err := pgx.Connect(context.Background(), u)
		if err != nil {
			t.Fatalf("login %s to %q: %v", login.user, login.db, err)
		}
		var user, db, app string
		err = conn.QueryRow(context.Background(), "SELECT current_user, current_database(), current_setting('application_name')").Scan(&user, &db, &app)
		conn.Close(context.Background())
		if err != nil {
			t.Fatalf("login %s to %q: query: %v", login.user, login.db, err)
		}
		if user != mine.User || db != mine.Name {
			t.Errorf("login %s to %q reached user %s database %s, want the submission's own %s", login.user, login.db, user, db, mine.Name)
		}
		if app != "probe" {
			t.Errorf("application_name %q: the client's startup parameters were not passed on", app)
		}
	}
	want := []Login{{"postgres", "app"}, {other.User, other.Name}, {mine.User, "shopping"}, {"postgres", "postgres"}}
	if got := p.Mapped(); !slices.Equal(got, want) {
		t.Errorf("mapped logins %v, want %v", got, want)
	}
	for _, r := range p.Refusals() {
		t.Errorf("refusal %q: nothing was refused", r)
	}

	// The submission's own login still goes through unchanged, unreported.
	conn, err := pgx.Connect(context.Background(), "postgres://"+mine.User+":"+mine.Password+"@"+addr+"/"+mine.Name+"?sslmode=disable")
	if err != nil {
		t.Fatalf("the submission's own login: %v", err)
	}
	conn.Close(context.Background())
	if got := len(p.Mapped()); got != len(want) {
		t.Errorf("the submission's own login was reported as mapped: %v", p.Mapped())
	}
}

// TestMappedLoginWithLibpq: psql (libpq, which may ask for a newer protocol
// version) gets through a mapped login too.
func TestMappedLoginWithLibpq(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal("psql is missing: deploy/ensure-services.sh installs postgresql-client, which pg_dump needs anyway")
	}
	mine := submissionDatabases(t, 1)[0]
	p := &Proxy{Upstream: net.JoinHostPort(mine.Host, strconv.Itoa(mine.Port)),
		User: mine.User, Database: mine.Name, Password: mine.Password, MapLogins: true}
	addr := serve(t, p)
	out, err := exec.Command(psql, "postgres://postgres:postgres@"+addr+"/app?sslmode=prefer&gssencmode=prefer",
		"-Atc", "select current_database()").CombinedOutput()
	if err != nil || string(out) != mine.Name+"\n" {
		t.Errorf("psql: %v, printed %q, want %s", err, out, mine.Name)
	}
}

// TestReplicationRefusedWhenMapping: mapping never opens a replication
// connection.
func TestReplicationRefusedWhenMapping(t *testing.T) {
	mine := submissionDatabases(t, 1)[0]
	p := &Proxy{Upstream: net.JoinHostPort(mine.Host, strconv.Itoa(mine.Port)),
		User: mine.User, Database: mine.Name, Password: mine.Password, MapLogins: true}
	addr := serve(t, p)
	_, err := pgconn.Connect(context.Background(), "postgres://postgres@"+addr+"/app?sslmode=disable&replication=database")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28000" {
		t.Errorf("replication login: %v, want FATAL 28000", err)
	}
	if len(p.Mapped()) != 0 {
		t.Errorf("replication login reported as mapped: %v", p.Mapped())
	}
}

// TestClientDemandingTLSIsToldWhy: a client with sslmode=require hangs up
// when TLS is declined; the forward says what to change.
func TestClientDemandingTLSIsToldWhy(t *testing.T) {
	h := newHarness(t)
	_, err := pgx.Connect(context.Background(), "postgres://postgres@"+h.addr+"/"+h.db+"?sslmode=require")
	if err == nil {
		t.Fatal("sslmode=require connected through a forward without TLS")
	}
	// The forward notices the hang-up after the client has returned.
	for deadline := time.Now().Add(5 * time.Second); !h.proxy.DemandedTLS(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the forward did not note the client that demanded TLS")
		}
	}
	h.connect(t) // sslmode=prefer: TLS declined, then a plain login
	if h.proxy.DemandedTLS() {
		t.Error("a client that logged in without TLS is still said to demand it")
	}
}
