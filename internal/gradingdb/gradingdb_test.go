package gradingdb

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/testenv"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func openServer(t *testing.T) *Server {
	t.Helper()
	s, err := Open(context.Background(), testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func create(t *testing.T, s *Server, prefix string) *Database {
	t.Helper()
	d, err := s.Create(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Drop(context.Background(), d) })
	return d
}

func admin(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func exists(t *testing.T, conn *pgx.Conn, query, name string) bool {
	t.Helper()
	var ok bool
	if err := conn.QueryRow(context.Background(), "select exists ("+query+")", name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

const (
	dbExists   = "select 1 from pg_database where datname = $1"
	roleExists = "select 1 from pg_roles where rolname = $1"
)

func TestCreateGivesAnIsolatedDatabase(t *testing.T) {
	ctx := context.Background()
	s := openServer(t)
	d := create(t, s, "Sub-42")
	if !regexp.MustCompile(`^assay_sub_sub_42_[0-9a-f]{12}$`).MatchString(d.Name) || d.User != d.Name {
		t.Errorf("name %q user %q", d.Name, d.User)
	}
	if want := "postgres://" + d.User + ":" + d.Password + "@127.0.0.1:5432/" + d.Name + "?sslmode=disable"; d.URL("127.0.0.1:5432") != want {
		t.Errorf("URL = %q, want %q", d.URL("127.0.0.1:5432"), want)
	}

	// The owner can work in its database.
	own, err := pgx.Connect(ctx, s.DirectURL(d))
	if err != nil {
		t.Fatalf("connect as the submission role: %v", err)
	}
	defer own.Close(ctx)
	if _, err := own.Exec(ctx, "create table items (id bigserial primary key, name text)"); err != nil {
		t.Errorf("owner cannot create a table: %v", err)
	}
	// ... and nothing more.
	if _, err := own.Exec(ctx, "create database assay_should_not_exist"); err == nil {
		t.Error("submission role could create a database")
	}
	a := admin(t)
	var attrs string
	err = a.QueryRow(ctx, `select concat_ws(',', nullif(rolsuper,false)::text, nullif(rolcreatedb,false)::text,
		nullif(rolcreaterole,false)::text, nullif(rolreplication,false)::text, nullif(rolbypassrls,false)::text,
		(select string_agg(roleid::regrole::text, ',') from pg_auth_members where member = r.oid))
		from pg_roles r where rolname = $1`, d.User).Scan(&attrs)
	if err != nil {
		t.Fatal(err)
	}
	if attrs != "" {
		t.Errorf("submission role has extra attributes or memberships: %q", attrs)
	}

	// Another login role cannot connect, though the server trusts it.
	other := "assay_test_other_" + randomHex(4)
	if _, err := a.Exec(ctx, "create role "+other+" login"); err != nil {
		t.Fatal(err)
	}
	defer a.Exec(ctx, "drop role "+other)
	cfg, err := pgx.ParseConfig(s.DirectURL(d))
	if err != nil {
		t.Fatal(err)
	}
	cfg.User, cfg.Password = other, ""
	conn, err := pgx.ConnectConfig(ctx, cfg)
	var pgErr *pgconn.PgError
	if err == nil {
		conn.Close(ctx)
		t.Error("another role connected to the submission database")
	} else if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Errorf("another role: %v, want permission denied (42501)", err)
	}
}

func TestDumpSchema(t *testing.T) {
	ctx := context.Background()
	s := openServer(t)
	d := create(t, s, "dump")
	own, err := pgx.Connect(ctx, s.DirectURL(d))
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close(ctx)
	if _, err := own.Exec(ctx, "create table lists (id int primary key); create table items (id int, list_id int references lists(id), price numeric(10,2)); create index on items(list_id)"); err != nil {
		t.Fatal(err)
	}
	dump, err := s.DumpSchema(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CREATE TABLE public.items", "price numeric(10,2)", "FOREIGN KEY (list_id) REFERENCES public.lists(id)", "CREATE INDEX items_list_id_idx"} {
		if !strings.Contains(dump, want) {
			t.Errorf("dump lacks %q:\n%s", want, dump)
		}
	}
	if strings.Contains(dump, d.Password) {
		t.Error("dump contains the role's password")
	}
}

func TestDropEndsSessionsAndRemovesBoth(t *testing.T) {
	ctx := context.Background()
	s := openServer(t)
	d := create(t, s, "drop")
	own, err := pgx.Connect(ctx, s.DirectURL(d))
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close(ctx)
	if err := s.Drop(ctx, d); err != nil {
		t.Fatalf("Drop with a session open: %v", err)
	}
	a := admin(t)
	if exists(t, a, dbExists, d.Name) || exists(t, a, roleExists, d.User) {
		t.Error("database or role still exists after Drop")
	}
	if err := s.Drop(ctx, &Database{Name: "postgres", User: "postgres"}); err == nil {
		t.Error("Drop accepted a database it did not create")
	}
}

func TestCleanupLeftoversDropsOnlyOldOnes(t *testing.T) {
	ctx := context.Background()
	s := openServer(t)
	old, fresh := create(t, s, "cleanup"), create(t, s, "cleanup")
	a := admin(t)
	// Age "old" by two days; its database comment is removed to check the
	// fallback to the owner role's time.
	backdated := literal(createdMarker + time.Now().Add(-48*time.Hour).UTC().Format(time.RFC3339))
	for _, stmt := range []string{
		"comment on role " + ident(old.User) + " is " + backdated,
		"comment on database " + ident(old.Name) + " is null",
	} {
		if _, err := a.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CleanupLeftovers(ctx, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if exists(t, a, dbExists, old.Name) || exists(t, a, roleExists, old.User) {
		t.Error("old leftover survived CleanupLeftovers")
	}
	if !exists(t, a, dbExists, fresh.Name) || !exists(t, a, roleExists, fresh.User) {
		t.Error("CleanupLeftovers dropped a database younger than the cutoff")
	}
}

func TestOpenRejectsNonURL(t *testing.T) {
	if _, err := Open(context.Background(), "host=127.0.0.1 user=postgres"); err == nil {
		t.Error("Open accepted a keyword/value string; DirectURL needs a URL")
	}
}

func TestCappedKeepsTheHead(t *testing.T) {
	c := &capped{max: 5}
	c.Write([]byte("abc"))
	c.Write([]byte("defg"))
	c.Write([]byte("h"))
	if c.buf.String() != "abcde" || !c.cut {
		t.Errorf("kept %q cut=%v, want \"abcde\" cut", c.buf.String(), c.cut)
	}
}

func TestSubmissionRoleIsLimited(t *testing.T) {
	ctx := context.Background()
	s := openServer(t)
	d := create(t, s, "limits")
	own, err := pgx.Connect(ctx, s.DirectURL(d))
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close(ctx)
	for name, want := range map[string]string{"statement_timeout": "30s", "temp_file_limit": "256MB", "work_mem": "16MB",
		"idle_in_transaction_session_timeout": "1min"} {
		var got string
		if err := own.QueryRow(ctx, "show "+name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q for the submission role, want %q", name, got, want)
		}
	}
	// temp_file_limit is the one a hostile session must not lift.
	if _, err := own.Exec(ctx, "set temp_file_limit = -1"); err == nil {
		t.Error("the submission role lifted its temp_file_limit")
	}
	var connLimit int
	if err := admin(t).QueryRow(ctx, "select rolconnlimit from pg_roles where rolname = $1", d.User).Scan(&connLimit); err != nil {
		t.Fatal(err)
	}
	if connLimit != connectionLimit {
		t.Errorf("connection limit %d, want %d", connLimit, connectionLimit)
	}
}

func TestSubmissionRoleReachesNoOtherDatabase(t *testing.T) {
	ctx := context.Background()
	// A database made the ordinary way is open to PUBLIC, like the platform's
	// own database on a shared server.
	otherURL := testenv.NewDatabase(t)
	s := openServer(t)
	d := create(t, s, "reach")
	for _, target := range []string{"postgres", "template1", strings.TrimPrefix(mustParse(t, otherURL).Database, "/")} {
		cfg := mustParse(t, s.DirectURL(d))
		cfg.Database = target
		conn, err := pgx.ConnectConfig(ctx, cfg)
		var pgErr *pgconn.PgError
		if err == nil {
			conn.Close(ctx)
			t.Errorf("the submission role connected to database %s", target)
		} else if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("connect to %s: %v, want permission denied (42501)", target, err)
		}
	}
}

func mustParse(t *testing.T, url string) *pgx.ConnConfig {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
