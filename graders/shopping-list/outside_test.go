package shoppinglist

import (
	"os"
	"path/filepath"

	"github.com/assayhq/assay/internal/grading"
)

// databaseChecks are the checks that look at PostgreSQL: a service keeping
// its data elsewhere fails each of them with the one cause, and nothing else
// (contract §1a, "stores outside PostgreSQL").
var databaseChecks = []string{
	"schema.tables", "schema.foreign_key", "data.stored_once", "data.from_zero",
	"migrations.price_column", "migrations.quantities_doubled_once",
	"quality.list_sql_statements", "quality.fk_index", "quality.price_exact_decimal", "quality.migration_history",
}

// Services that keep their data outside PostgreSQL, written as candidates
// do and otherwise following the brief: their endpoints (PATCH included,
// judged by what they then serve) pass in both modes. The SQLite one is
// Python's standard library (a Node SQLite driver compiles the SQLite
// amalgamation in the box: about 90 s of CPU per grading); without a
// Procfile its main.py is started by Nixpacks' convention.
func init() {
	const sqliteCause = "no tables in PostgreSQL; found a SQLite file `data/shopping.sqlite`: keep the data in the database at $DATABASE_URL"
	const memoryCause = "no tables in PostgreSQL: keep the data in the database at $DATABASE_URL"
	noProcfile := func(dir string) error { return os.Remove(filepath.Join(dir, "Procfile")) }
	solutions = append(solutions,
		solution{
			name: "sqlite-store", base: "python-sqlite", status: grading.StatusGraded, setup: noProcfile,
			failed:      append([]string{grading.SetupProcfile.ID}, databaseChecks...),
			adaptations: []string{"no Procfile: started with `python3 main.py`"},
			cause:       sqliteCause,
		},
		solution{
			name: "sqlite-store-strict", base: "python-sqlite", mode: grading.ModeStrict, status: grading.StatusGraded,
			failed: databaseChecks, cause: sqliteCause,
		},
		solution{
			name: "memory-store", base: "node-memory", status: grading.StatusGraded,
			failed: databaseChecks, cause: memoryCause,
		},
		solution{
			name: "memory-store-strict", base: "node-memory", mode: grading.ModeStrict, status: grading.StatusGraded,
			failed: databaseChecks, cause: memoryCause,
		},
	)
}
