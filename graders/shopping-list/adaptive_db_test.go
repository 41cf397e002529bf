package shoppinglist

import (
	"os"
	"path/filepath"

	"github.com/assayhq/assay/internal/grading"
)

// Database settings as candidates write them for docker compose rather than
// $DATABASE_URL, on the TypeScript solution (fast to build). In adaptive
// mode the box's database is served whatever login they use, priced once in
// setup.database_url; in strict mode the login is refused, as the brief says.

// dbURLFromCompose reads its database URL from DB_URL, which only the
// compose file sets, and falls back to the compose network's database.
var dbURLFromCompose = []edit{{"src/db.ts",
	"new Pool({ connectionString: process.env.DATABASE_URL })",
	`new Pool({ connectionString: process.env.DB_URL ?? "postgres://postgres:postgres@db:5432/app" })`}}

const composeFile = `services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: postgres
      POSTGRES_PASSWORD: postgres
      POSTGRES_DB: app
  app:
    build: .
    environment:
      DB_URL: postgres://postgres:postgres@db:5432/app
      PORT: 3000
    ports: ["3000:3000"]
    depends_on: [db]
`

// dbFromDotenv logs in with separate DB_* variables that node loads from
// the repository's .env (variables already set win, as with dotenv).
var dbFromDotenv = []edit{
	{"src/db.ts", "new Pool({ connectionString: process.env.DATABASE_URL })",
		"new Pool({ host: process.env.DB_HOST, port: Number(process.env.DB_PORT), user: process.env.DB_USER,\n" +
			"  password: process.env.DB_PASSWORD, database: process.env.DB_NAME })"},
	{"Procfile", "release: node dist/src/migrate.js", "release: node --env-file=.env dist/src/migrate.js"},
	{"Procfile", "web: node dist/src/server.js", "web: node --env-file=.env dist/src/server.js"},
}

const dotenvFile = "DB_HOST=localhost\nDB_PORT=5432\nDB_USER=shop\nDB_PASSWORD=shop-secret\nDB_NAME=shopping\n"

// writeFile returns a setup that adds one file to the repository.
func writeFile(name, content string) func(dir string) error {
	return func(dir string) error { return os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644) }
}

func init() {
	solutions = append(solutions,
		solution{
			name: "db-from-compose", base: "typescript", status: grading.StatusGraded,
			edits: dbURLFromCompose, setup: writeFile("docker-compose.yml", composeFile),
			failed: []string{grading.SetupDatabase.ID},
			adaptations: []string{"docker-compose.yml (service app) passed to the service, pointed at the box's database: DB_URL (host db:5432 → 127.0.0.1:5432)",
				"logged in as postgres to database app: served your own database instead"},
		},
		solution{
			name: "db-from-compose-strict", base: "typescript", mode: grading.ModeStrict, status: grading.StatusStartFailed,
			edits: dbURLFromCompose, setup: writeFile("docker-compose.yml", composeFile),
			says: `login as user "postgres" to database "app" refused`,
		},
		solution{
			name: "db-from-dotenv", base: "typescript", status: grading.StatusGraded,
			edits: dbFromDotenv, setup: writeFile(".env", dotenvFile),
			failed: []string{grading.SetupDatabase.ID},
			adaptations: []string{"from .env passed to the service, pointed at the box's database: DB_HOST (localhost → 127.0.0.1), DB_NAME, DB_PASSWORD, DB_PORT, DB_USER",
				"logged in as shop to database shopping: served your own database instead"},
		},
		solution{
			name: "db-from-dotenv-strict", base: "typescript", mode: grading.ModeStrict, status: grading.StatusStartFailed,
			edits: dbFromDotenv, setup: writeFile(".env", dotenvFile),
			says: `login as user "shop" to database "shopping" refused`,
		},
		solution{
			// sslmode=require: the driver hangs up on the declined request
			// with its own words; the phase says what to do.
			name: "db-demands-tls", base: "typescript", status: grading.StatusStartFailed,
			edits: []edit{{"src/db.ts", "new Pool({ connectionString: process.env.DATABASE_URL })",
				`new Pool({ connectionString: (process.env.DATABASE_URL ?? "").replace("sslmode=disable", "sslmode=require") })`}},
			says: "the database here has no TLS: use sslmode=disable or $DATABASE_URL",
		},
	)
}
