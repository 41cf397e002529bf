package gradingdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// connectionLimit caps the role's concurrent sessions: generous for any
// connection pool, but a service opening connections in a loop cannot
// exhaust the server's max_connections for other gradings.
const connectionLimit = 32

// roleSettings are the session defaults every submission role starts with.
// temp_file_limit is a superuser parameter, so a candidate's session cannot
// raise it: a query that sorts or hashes more than that on disk fails
// instead of filling the grading server's disk. statement_timeout and
// work_mem bound the ordinary case (a runaway query, a huge in-memory sort);
// a session may still change those two for itself, which the connection
// limit and the sandbox's time limits bound in turn.
var roleSettings = []struct{ name, value string }{
	{"statement_timeout", "30s"},
	{"idle_in_transaction_session_timeout", "60s"},
	{"work_mem", "16MB"},
	{"temp_file_limit", "256MB"},
}

// createdMarker starts the comment recording when a role or database was
// made; CleanupLeftovers reads the time after it.
const createdMarker = "assay submission database, created "

// Create makes a LOGIN role with a random password and no other privilege,
// and an empty database owned by it that no other non-superuser may connect
// to. Both are named assay_sub_<prefix>_<random>.
func (s *Server) Create(ctx context.Context, prefix string) (*Database, error) {
	name, err := newName(prefix)
	if err != nil {
		return nil, err
	}
	d := &Database{Name: name, User: name, Password: randomHex(24), Host: s.host, Port: s.port}
	conn, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	// Databases appear on a shared server between gradings, so the sweep runs
	// before each role is made rather than once at Open.
	if err := closeOtherDatabases(ctx, conn); err != nil {
		return nil, fmt.Errorf("gradingdb: %w", err)
	}
	if err := createRole(ctx, conn, d); err != nil {
		return nil, fmt.Errorf("gradingdb: create role %s: %w", name, err)
	}
	if err := createDatabase(ctx, conn, d); err != nil {
		// Leave nothing behind; a fresh context, since ctx may be what failed.
		dropCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return nil, errors.Join(fmt.Errorf("gradingdb: create database %s: %w", name, err), dropBoth(dropCtx, conn, name))
	}
	return d, nil
}

// createRole makes the role and records its creation time in one
// transaction, so a role without its time never exists: CleanupLeftovers can
// always tell how old a leftover is.
func createRole(ctx context.Context, conn *pgx.Conn, d *Database) error {
	role := ident(d.User)
	// INHERIT (the default) is needed: in PostgreSQL 15 the owner's CREATE on
	// schema public comes through the implicit pg_database_owner membership.
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, fmt.Sprintf(
			"CREATE ROLE %s LOGIN PASSWORD %s NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT %d",
			role, literal(d.Password), connectionLimit))
		if err != nil {
			return err
		}
		for _, set := range roleSettings {
			if _, err := tx.Exec(ctx, fmt.Sprintf("ALTER ROLE %s SET %s = %s", role, set.name, literal(set.value))); err != nil {
				return fmt.Errorf("set %s: %w", set.name, err)
			}
		}
		_, err = tx.Exec(ctx, fmt.Sprintf("COMMENT ON ROLE %s IS %s", role, literal(createdComment())))
		return err
	})
}

// createDatabase makes the database from template0 (nothing anyone added to
// template1 comes along), owned by the role, and closes it to PUBLIC.
// CREATE DATABASE cannot run in a transaction, hence separate statements.
func createDatabase(ctx context.Context, conn *pgx.Conn, d *Database) error {
	db, role := ident(d.Name), ident(d.User)
	for _, stmt := range []string{
		fmt.Sprintf("CREATE DATABASE %s OWNER %s TEMPLATE template0", db, role),
		fmt.Sprintf("REVOKE ALL ON DATABASE %s FROM PUBLIC", db),
		fmt.Sprintf("GRANT CONNECT, TEMPORARY ON DATABASE %s TO %s", db, role),
		fmt.Sprintf("COMMENT ON DATABASE %s IS %s", db, literal(createdComment())),
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// closeOtherDatabases revokes PUBLIC's CONNECT on every database of the
// server that still grants it (the default for a new database), so a
// submission role can reach its own database and nothing else, even when the
// grading server is shared with the platform or a person's own databases.
// Superusers, who own the platform's connections, are not affected.
// Submission databases are left out: each is closed by its own Create.
// Concurrent sweeps are serialised by an advisory lock, since two REVOKEs on
// one database at once fail with "tuple concurrently updated".
func closeOtherDatabases(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, "select pg_advisory_lock($1)", sweepLockKey); err != nil {
		return fmt.Errorf("lock the database sweep: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "select pg_advisory_unlock($1)", sweepLockKey)
	rows, err := conn.Query(ctx, `select datname from pg_database d
		where datallowconn and datname not like 'assay\_sub\_%' and exists (
			select 1 from aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
			where a.grantee = 0 and a.privilege_type = 'CONNECT')`)
	if err != nil {
		return fmt.Errorf("list databases open to PUBLIC: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list databases open to PUBLIC: %w", err)
	}
	for _, name := range names {
		_, err := conn.Exec(ctx, fmt.Sprintf("REVOKE CONNECT ON DATABASE %s FROM PUBLIC", ident(name)))
		if err != nil && !dropped(ctx, conn, name) {
			return fmt.Errorf("close database %s to PUBLIC: %w", name, err)
		}
	}
	return nil
}

// dropped tells whether a database failed to be closed only because it was
// dropped meanwhile (PostgreSQL says "does not exist" or "tuple concurrently
// deleted", depending on the moment).
func dropped(ctx context.Context, conn *pgx.Conn, name string) bool {
	var exists bool
	err := conn.QueryRow(ctx, "select exists (select 1 from pg_database where datname = $1)", name).Scan(&exists)
	return err == nil && !exists
}

// sweepLockKey is the advisory lock closeOtherDatabases holds ("assaydb" in ASCII).
const sweepLockKey int64 = 0x61737361796462

func createdComment() string {
	return createdMarker + time.Now().UTC().Format(time.RFC3339)
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// literal quotes a string constant for the statements that take no
// parameters (CREATE ROLE, COMMENT). standard_conforming_strings is on in
// every supported PostgreSQL, so doubling quotes is enough.
func literal(s string) string {
	out := []byte{'\''}
	for i := range len(s) {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
