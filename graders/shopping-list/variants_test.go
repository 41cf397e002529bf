package shoppinglist

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/assayhq/assay/internal/grading"
)

// solution is one reference submission and the verdict it must get.
type solution struct {
	name string
	base string // directory under testdata/solutions
	// edits turn the base into a flawed variant, each breaking one thing.
	edits []edit
	// prebuilt variants carry a binary built on the host from their edited
	// sources, with a Procfile build line that only checks it is there: their
	// flaws are in what the service does, and building pgx from a cold cache
	// in every box would take minutes each. The Go solution itself and the
	// failing build go through the sandboxed build.
	prebuilt bool
	// setup changes the repository in ways edits cannot (links).
	setup  func(dir string) error
	status string
	failed []string // checks that fail; every other check passes (or, unless graded, is not run)
	// mode is the grading mode ("" is adaptive, the default); adaptations
	// are pieces of the scorecard's adaptation lines, one per line, in order
	// (nil: nothing was adapted).
	mode        string
	adaptations []string
	// says is what the failed phase's message or output must say when the
	// service never got as far as the checks (contract §4).
	says string
	// cause, when set, is in the reason of every failed check outside the
	// setup category: one flaw named the same way wherever it costs.
	cause string
}

// edit replaces old, which must occur exactly once in file, with new.
type edit struct{ file, old, new string }

var solutions = []solution{
	{name: "go", base: "go", status: grading.StatusGraded},
	{name: "typescript", base: "typescript", status: grading.StatusGraded},
	{
		name: "double-every-start", base: "go", prebuilt: true, status: grading.StatusGraded,
		failed: []string{"migrations.quantities_doubled_once"},
		edits: []edit{
			{"migrations.go", "\t{4, \"double quantities\", execSQL(`UPDATE items SET quantity = quantity * 2`)},\n", ""},
			{"migrate.go", "\t\t\treturn fmt.Errorf(\"migration %d (%s): %w\", m.version, m.name, err)\n\t\t}\n\t}\n\treturn nil\n",
				"\t\t\treturn fmt.Errorf(\"migration %d (%s): %w\", m.version, m.name, err)\n\t\t}\n\t}\n\t_, err := pool.Exec(ctx, `UPDATE items SET quantity = quantity * 2`)\n\treturn err\n"},
		},
	},
	{
		name: "double-in-api", base: "go", prebuilt: true, status: grading.StatusGraded,
		failed: []string{"migrations.quantities_doubled_once"},
		edits: []edit{
			{"migrations.go", "\t{4, \"double quantities\", execSQL(`UPDATE items SET quantity = quantity * 2`)},\n", ""},
			{"store.go", "SELECT list_id, id, name, quantity, price::text FROM items", "SELECT list_id, id, name, quantity * 2, price::text FROM items"},
			{"server.go", "RETURNING id, name, quantity, price::text", "RETURNING id, name, quantity * 2, price::text"},
		},
	},
	{
		name: "no-foreign-key", base: "go", prebuilt: true, status: grading.StatusGraded,
		failed: []string{"schema.foreign_key"},
		edits:  []edit{{"migrations.go", "bigint NOT NULL REFERENCES shopping_lists (id) ON DELETE CASCADE,", "bigint NOT NULL,"}},
	},
	{
		name: "n-plus-one", base: "go", prebuilt: true, status: grading.StatusGraded,
		failed: []string{"quality.list_sql_statements"},
		edits: []edit{{"store.go",
			"\trows, err = s.db.Query(ctx, `SELECT list_id, id, name, quantity, price::text FROM items WHERE $1 = 0 OR list_id = $1 ORDER BY id`, id)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tdefer rows.Close()\n\tfor rows.Next() {",
			"\tfor _, l := range lists {\n\t\tif err := s.loadItems(ctx, byID, l.ID); err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t}\n\treturn lists, nil\n}\n\n" +
				"func (s *server) loadItems(ctx context.Context, byID map[int64]*shoppingList, id int64) error {\n" +
				"\trows, err := s.db.Query(ctx, `SELECT list_id, id, name, quantity, price::text FROM items WHERE list_id = $1 ORDER BY id`, id)\n\tif err != nil {\n\t\treturn err\n\t}\n\tdefer rows.Close()\n\tfor rows.Next() {"},
			{"store.go", "\t\tif err := rows.Scan(&listID, &it.ID, &it.Name, &it.Quantity, &price); err != nil {\n\t\t\treturn nil, err\n\t\t}",
				"\t\tif err := rows.Scan(&listID, &it.ID, &it.Name, &it.Quantity, &price); err != nil {\n\t\t\treturn err\n\t\t}"},
			{"store.go", "\t}\n\treturn lists, rows.Err()\n}", "\t}\n\treturn rows.Err()\n}"},
		},
	},
	{
		name: "hard-coded-data", base: "go", prebuilt: true, status: grading.StatusGraded,
		failed: []string{"data.stored_once"},
		edits: []edit{{"data.go", "\tb, err := os.ReadFile(\"app/data/data.json\")", "\tb, err := []byte(starterJSON), error(nil)"},
			{"data.go", "\t\"fmt\"\n\t\"os\"\n", "\t\"fmt\"\n"},
			{"data.go", "type dataItem struct {", starterJSONDecl() + "\ntype dataItem struct {"}},
	},
	{
		name: "price-float", base: "go", prebuilt: true, status: grading.StatusGraded,
		failed: []string{"quality.price_exact_decimal"},
		edits:  []edit{{"migrations.go", "ADD COLUMN price numeric", "ADD COLUMN price double precision"}},
	},
	{
		name: "missing-404", base: "go", prebuilt: true, status: grading.StatusGraded,
		failed: []string{"endpoints.get_404"},
		edits: []edit{{"server.go", "\tif len(lists) == 0 {\n\t\tnotFound(w, \"shopping list\")\n\t\treturn\n\t}\n\twriteJSON(w, http.StatusOK, lists[0])\n",
			"\tif len(lists) == 0 {\n\t\twriteJSON(w, http.StatusOK, nil)\n\t\treturn\n\t}\n\twriteJSON(w, http.StatusOK, lists[0])\n"}},
	},
	{
		name: "release-not-rerunnable", base: "go", prebuilt: true, status: grading.StatusGraded,
		failed: []string{"data.stored_once", "migrations.quantities_doubled_once"},
		edits:  []edit{{"migrate.go", ".Scan(&done); err != nil || done {", ".Scan(&done); err != nil {"}},
	},
	{
		name: "never-starts", base: "go", prebuilt: true, status: grading.StatusStartFailed, says: `unknown command "server"`,
		edits: []edit{{"Procfile", "web: ./bin/shopping-list serve", "web: ./bin/shopping-list server"}},
	},
	{
		name: "build-fails", base: "go", status: grading.StatusBuildFailed, says: "pgxpoool",
		// A mistyped import fails while packages load, before anything compiles.
		edits: []edit{{"main.go", "\"github.com/jackc/pgx/v5/pgxpool\"", "\"github.com/jackc/pgx/v5/pgxpoool\""}},
	},
	{
		// app/data is a link out of the repository: the grader must not write
		// through it, and says why the run stopped.
		name: "data-link-escapes", base: "go", status: grading.StatusBuildFailed, says: "not a link out of the repository",
		setup: func(dir string) error {
			if err := os.RemoveAll(filepath.Join(dir, dataDir)); err != nil {
				return err
			}
			return os.Symlink("../../outside", filepath.Join(dir, dataDir))
		},
	},
}

// starterJSONDecl is the starter kit's data as a Go constant: what a
// candidate who copies the data into the code ships.
func starterJSONDecl() string {
	b, err := fs.ReadFile(starterFS(), dataDir+"/data.json")
	if err != nil {
		panic(err) // embedded: always there
	}
	return "const starterJSON = " + strconv.Quote(string(b)) + "\n"
}
