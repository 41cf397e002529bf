// Package shoppinglist is the "shopping-list" take-home (contract §3): its
// brief, starter kit, the replacement data written into each submission, and
// the checks that grade it.
package shoppinglist

import "github.com/assayhq/assay/internal/grading"

// Suite is the shopping-list take-home as the runner grades it.
var Suite = &grading.Suite{
	Slug:      "shopping-list",
	Version:   "1",
	Title:     "Shopping List",
	Brief:     brief,
	Starter:   starterFS(),
	ReadyPath: "/shopping-lists",
	Checks:    append(grading.SetupChecks(), checks...),
	Prepare:   prepare,
	Grade:     grade,
}

// checks are in the order scorecards show them. IDs are stable: reviewers and
// the ATS compare scorecards on them. Points per category match BRIEF.md;
// the setup checks (10 points) come first.
var checks = []grading.CheckDef{
	{ID: "schema.tables", Title: "Tables for shopping lists and their items", Category: grading.Correctness, Points: 7, Visibility: grading.Visible},
	{ID: "schema.foreign_key", Title: "Items reference their list through a foreign key", Category: grading.Correctness, Points: 7, Visibility: grading.Visible},
	{ID: "data.stored_once", Title: "The data of app/data is stored exactly once", Category: grading.Correctness, Points: 9, Visibility: grading.Visible},
	{ID: "data.from_zero", Title: "A fresh, empty database gets the same data", Category: grading.Correctness, Points: 6, Visibility: grading.Hidden},

	{ID: "migrations.price_column", Title: "Items have a nullable numeric price column", Category: grading.Migrations, Points: 9, Visibility: grading.Visible},
	{ID: "migrations.quantities_doubled_once", Title: "Every quantity is doubled exactly once, in the database", Category: grading.Migrations, Points: 11, Visibility: grading.Visible},

	{ID: "endpoints.list", Title: "GET /shopping-lists returns every list with its items", Category: grading.Endpoints, Points: 7, Visibility: grading.Visible},
	{ID: "endpoints.get", Title: "GET /shopping-lists/{id} returns one list with its items", Category: grading.Endpoints, Points: 4, Visibility: grading.Visible},
	{ID: "endpoints.get_404", Title: "GET /shopping-lists/{id} answers 404 for a missing list", Category: grading.Endpoints, Points: 3, Visibility: grading.Visible},
	{ID: "endpoints.items", Title: "GET /shopping-lists/{id}/items returns the list's items", Category: grading.Endpoints, Points: 4, Visibility: grading.Visible},
	{ID: "endpoints.items_404", Title: "GET /shopping-lists/{id}/items answers 404 for a missing list", Category: grading.Endpoints, Points: 3, Visibility: grading.Visible},
	{ID: "endpoints.patch_price", Title: "PATCH /items/{id} sets the price (stretch)", Category: grading.Endpoints, Points: 4, Visibility: grading.Visible},
	{ID: "endpoints.patch_errors", Title: "PATCH /items/{id} rejects a bad price and a missing item (stretch)", Category: grading.Endpoints, Points: 2, Visibility: grading.Hidden},

	{ID: "quality.list_sql_statements", Title: "GET /shopping-lists sends a fixed number of SQL statements (no N+1)", Category: grading.Quality, Points: 5, Visibility: grading.Visible},
	{ID: "quality.fk_index", Title: "The items' foreign key column is indexed", Category: grading.Quality, Points: 3, Visibility: grading.Visible},
	{ID: "quality.price_exact_decimal", Title: "Price is stored as an exact decimal", Category: grading.Quality, Points: 3, Visibility: grading.Hidden},
	{ID: "quality.migration_history", Title: "Migrations are recorded in a history table", Category: grading.Quality, Points: 3, Visibility: grading.Visible},
}
