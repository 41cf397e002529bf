package planetscrud

import (
	"embed"
	"io/fs"

	"github.com/assayhq/assay/internal/grading"
)

//go:embed BRIEF.md
var brief string

//go:embed all:starter
var starter embed.FS

// Suite is the planets-crud take-home.
var Suite = &grading.Suite{
	Slug:      "planets-crud",
	Version:   "1",
	Title:     "Planets CRUD API",
	Brief:     brief,
	Starter:   mustSub(starter, "starter"),
	ReadyPath: "/planets",
	Checks:    append(grading.SetupChecks(), checks...),
	Grade:     grade,
}

// checks: with the setup checks (10 points) before them, a careful candidate
// earns all 100 points, and each flaw costs the checks that observe it and no
// others. Ids are stable across versions.
var checks = []grading.CheckDef{
	{ID: "import.complete", Title: "Every planet imported, once", Category: grading.Correctness, Points: 7, Visibility: grading.Visible},
	{ID: "import.values", Title: "Imported names, populations, terrains and climates kept", Category: grading.Correctness, Points: 5, Visibility: grading.Visible},
	{ID: "import.large_population", Title: "Populations above 2^31 kept exactly", Category: grading.Correctness, Points: 5, Visibility: grading.Visible},
	{ID: "import.null_population", Title: "Unknown populations kept as null", Category: grading.Correctness, Points: 4, Visibility: grading.Visible},
	{ID: "import.empty_arrays", Title: "Empty and [\"unknown\"] terrains and climates kept as given", Category: grading.Correctness, Points: 4, Visibility: grading.Visible},
	{ID: "resilience.retry_503", Title: "Import retried when the endpoint first answers 503", Category: grading.Correctness, Points: 5, Visibility: grading.Hidden},

	{ID: "schema.population_bigint", Title: "Population stored in a 64-bit column", Category: grading.Migrations, Points: 4, Visibility: grading.Visible},
	{ID: "release.rerun", Title: "release runs again on the same database", Category: grading.Migrations, Points: 3, Visibility: grading.Visible},
	{ID: "import.once_after_restart", Title: "No planet imported again after a restart", Category: grading.Migrations, Points: 5, Visibility: grading.Visible},
	{ID: "restart.no_resurrection", Title: "A deleted planet stays deleted after a restart", Category: grading.Migrations, Points: 4, Visibility: grading.Visible},
	{ID: "restart.edits_kept", Title: "An edited planet keeps its edit after a restart", Category: grading.Migrations, Points: 4, Visibility: grading.Visible},
	{ID: "restart.persistence", Title: "A created planet is still there after a restart", Category: grading.Migrations, Points: 4, Visibility: grading.Visible},

	{ID: "crud.list", Title: "GET /planets lists planets", Category: grading.Endpoints, Points: 3, Visibility: grading.Visible},
	{ID: "crud.get", Title: "GET /planets/{id} returns the planet", Category: grading.Endpoints, Points: 3, Visibility: grading.Visible},
	{ID: "crud.get_404", Title: "GET /planets/{id} answers 404 for a missing planet", Category: grading.Endpoints, Points: 3, Visibility: grading.Visible},
	{ID: "crud.get_malformed", Title: "GET /planets/{id} answers 400 or 404 for a malformed id", Category: grading.Endpoints, Points: 2, Visibility: grading.Visible},
	{ID: "crud.create", Title: "POST /planets creates a planet", Category: grading.Endpoints, Points: 3, Visibility: grading.Visible},
	{ID: "crud.create_defaults", Title: "POST /planets defaults terrains and climates to []", Category: grading.Endpoints, Points: 2, Visibility: grading.Visible},
	{ID: "crud.create_validation", Title: "POST /planets refuses invalid bodies with 400 or 422", Category: grading.Endpoints, Points: 3, Visibility: grading.Visible},
	{ID: "crud.update", Title: "PUT /planets/{id} replaces the planet", Category: grading.Endpoints, Points: 3, Visibility: grading.Visible},
	{ID: "crud.update_404", Title: "PUT /planets/{id} answers 404 for a missing planet", Category: grading.Endpoints, Points: 2, Visibility: grading.Visible},
	{ID: "crud.update_validation", Title: "PUT /planets/{id} refuses invalid bodies with 400 or 422", Category: grading.Endpoints, Points: 2, Visibility: grading.Hidden},
	{ID: "crud.delete", Title: "DELETE /planets/{id} deletes the planet", Category: grading.Endpoints, Points: 3, Visibility: grading.Visible},
	{ID: "crud.delete_404", Title: "DELETE /planets/{id} answers 404 for a missing planet", Category: grading.Endpoints, Points: 2, Visibility: grading.Visible},

	{ID: "http.content_type", Title: "JSON answers carry Content-Type: application/json", Category: grading.Quality, Points: 2, Visibility: grading.Visible},
	{ID: "http.error_json", Title: "Errors are JSON objects with a message", Category: grading.Quality, Points: 3, Visibility: grading.Visible},
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the directory is embedded above; only a typo gets here
	}
	return sub
}
