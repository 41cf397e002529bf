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
