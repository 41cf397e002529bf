// Command planets imports planets from a GraphQL endpoint once and serves
// them over a small REST API. "release" migrates and imports; "web" serves.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	_ "github.com/lib/pq"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: planets release|web")
	}
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	switch os.Args[1] {
	case "release":
		if err := migrate(ctx, db); err != nil {
			log.Fatalf("migrate: %v", err)
		}
		if err := importOnce(ctx, db, os.Getenv("PLANETS_GRAPHQL_URL")); err != nil {
			log.Fatalf("import: %v", err)
		}
	case "web":
		srv := &http.Server{Addr: ":" + os.Getenv("PORT"), Handler: routes(db), ReadHeaderTimeout: 10 * time.Second}
		log.Fatal(srv.ListenAndServe())
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

func migrate(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `
CREATE TABLE IF NOT EXISTS planets (
	id         bigserial PRIMARY KEY,
	name       text NOT NULL,
	population bigint CHECK (population >= 0),
	terrains   text[] NOT NULL DEFAULT '{}',
	climates   text[] NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS planet_import (
	done        boolean PRIMARY KEY DEFAULT true CHECK (done),
	imported_at timestamptz NOT NULL DEFAULT now()
);`)
	if err != nil {
		return fmt.Errorf("create tables: %w", err)
	}
	return nil
}
