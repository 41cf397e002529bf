package gradingdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Drop removes d's database, ending any session still connected to it, and
// its role.
func (s *Server) Drop(ctx context.Context, d *Database) error {
	if !ourName.MatchString(d.Name) || d.User != d.Name {
		return fmt.Errorf("gradingdb: refusing to drop %q: not a submission database", d.Name)
	}
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return dropBoth(ctx, conn, d.Name)
}

func dropBoth(ctx context.Context, conn *pgx.Conn, name string) error {
	if err := dropDatabase(ctx, conn, name); err != nil {
		return err
	}
	return dropRole(ctx, conn, name)
}

func dropDatabase(ctx context.Context, conn *pgx.Conn, name string) error {
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("gradingdb: drop database %s: %w", name, err)
	}
	return nil
}

func dropRole(ctx context.Context, conn *pgx.Conn, name string) error {
	if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+ident(name)); err != nil {
		return fmt.Errorf("gradingdb: drop role %s: %w", name, err)
	}
	return nil
}

// DropPrefix drops every submission database and role whose name starts
// with assay_sub_<prefix>, whatever its age: the leftovers of one crashed
// run, dropped by the worker that takes the submission over.
func (s *Server) DropPrefix(ctx context.Context, prefix string) error {
	if prefix == "" || strings.ContainsFunc(prefix, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
		return fmt.Errorf("gradingdb: drop prefix %q: want [a-z0-9]+", prefix)
	}
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `select rolname from pg_roles where rolname like $1`, namePrefix+prefix+"%")
	if err != nil {
		return fmt.Errorf("gradingdb: list %s: %w", prefix, err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("gradingdb: list %s: %w", prefix, err)
	}
	var errs []error
	for _, n := range names {
		if ourName.MatchString(n) {
			errs = append(errs, dropBoth(ctx, conn, n))
		}
	}
	return errors.Join(errs...)
}

// CleanupLeftovers drops the submission databases and roles created more
// than olderThan ago: what a crashed worker left behind. Age comes from the
// comment written at creation; a database without one takes its owner
// role's, which is always recorded (see createRole). Objects whose age is
// unknown are left alone.
func (s *Server) CleanupLeftovers(ctx context.Context, olderThan time.Duration) error {
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	cutoff := time.Now().Add(-olderThan)

	roles, err := createdTimes(ctx, conn, `select rolname, '', shobj_description(oid, 'pg_authid') from pg_roles where rolname like 'assay\_sub\_%'`)
	if err != nil {
		return fmt.Errorf("gradingdb: list roles: %w", err)
	}
	dbs, err := createdTimes(ctx, conn, `select datname, pg_get_userbyid(datdba), shobj_description(oid, 'pg_database') from pg_database where datname like 'assay\_sub\_%'`)
	if err != nil {
		return fmt.Errorf("gradingdb: list databases: %w", err)
	}
	var errs []error
	for _, db := range dbs {
		created := db.created
		if created.IsZero() {
			created = roles[db.owner].created
		}
		if !created.IsZero() && created.Before(cutoff) && ourName.MatchString(db.name) {
			errs = append(errs, dropDatabase(ctx, conn, db.name))
		}
	}
	for _, r := range roles {
		if !r.created.IsZero() && r.created.Before(cutoff) && ourName.MatchString(r.name) {
			errs = append(errs, dropRole(ctx, conn, r.name))
		}
	}
	return errors.Join(errs...)
}

type leftover struct {
	name, owner string
	created     time.Time // zero when unknown
}

// createdTimes runs a query returning (name, owner, comment) rows.
func createdTimes(ctx context.Context, conn *pgx.Conn, query string) (map[string]leftover, error) {
	rows, err := conn.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	out := make(map[string]leftover)
	for rows.Next() {
		var l leftover
		var comment *string
		if err := rows.Scan(&l.name, &l.owner, &comment); err != nil {
			return nil, err
		}
		if comment != nil {
			if at, ok := strings.CutPrefix(*comment, createdMarker); ok {
				l.created, _ = time.Parse(time.RFC3339, at)
			}
		}
		out[l.name] = l
	}
	return out, rows.Err()
}
