package store

import (
	"context"
	"fmt"
	"io"

	"github.com/assayhq/assay/migrations"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrate runs "up", "down" (one step) or "status" on the platform schema and
// writes what it did to out. It holds a PostgreSQL advisory lock for the
// whole run, so a web server and a worker starting together do not race.
func (s *Store) Migrate(ctx context.Context, direction string, out io.Writer) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, s.SQL(), migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	switch direction {
	case "up":
		results, err := p.Up(ctx)
		for _, r := range results {
			fmt.Fprintf(out, "applied %s (%s)\n", r.Source.Path, r.Duration.Round(1e6))
		}
		if err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		if len(results) == 0 {
			fmt.Fprintln(out, "schema is up to date")
		}
	case "down":
		r, err := p.Down(ctx)
		if err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
		fmt.Fprintf(out, "rolled back %s\n", r.Source.Path)
	case "status":
		st, err := p.Status(ctx)
		if err != nil {
			return fmt.Errorf("migration status: %w", err)
		}
		for _, m := range st {
			applied := "pending"
			if m.State == goose.StateApplied {
				applied = "applied " + m.AppliedAt.Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(out, "%-30s %s\n", m.Source.Path, applied)
		}
	default:
		return fmt.Errorf("migrate: want up, down or status, got %q", direction)
	}
	return nil
}
