package run_test

import (
	"context"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
)

// TestNoTablesNamesTheSQLiteFile: a service that keeps its data in SQLite
// and creates no table in PostgreSQL is told so, with the file's name.
func TestNoTablesNamesTheSQLiteFile(t *testing.T) {
	var reason string
	s := suite(func(ctx context.Context, g *grading.Grader) error {
		svc, err := g.Start(ctx, grading.StartOptions{})
		if err != nil {
			return err
		}
		g.Check("only.check", func(c *grading.C) {
			if reason = svc.NoTablesReason(ctx); reason != "" {
				c.Failf("%s", reason)
			}
		})
		return nil
	})
	files := map[string]string{
		"Procfile": `web: python3 -c "import sqlite3; sqlite3.connect('store.sqlite3').execute('create table items (name text)')" && exec python3 -m http.server "$PORT"` + "\n",
	}
	card, err := env(t).Grade(context.Background(), s, repo(t, files), gradingtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if card.Status != grading.StatusGraded {
		t.Fatalf("status %s, phases %+v", card.Status, card.Phases)
	}
	want := "no tables in PostgreSQL; found a SQLite file `store.sqlite3`: keep the data in the database at $DATABASE_URL"
	if reason != want {
		t.Errorf("reason %q, want %q", reason, want)
	}
	if c := card.Check("only.check"); c.Status != grading.CheckFailed || !strings.Contains(c.Message, "store.sqlite3") {
		t.Errorf("check %+v", c)
	}
}
