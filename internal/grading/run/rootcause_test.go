package run

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/sandbox"
)

// TestRootCause reads real-looking failure outputs and checks the one line
// a candidate is shown first: the cause a person would name, never a
// fragment of a printed error object.
func TestRootCause(t *testing.T) {
	for file, want := range map[string]string{
		"node-error-object.txt":         "node: /work/app/dist/main.js does not exist: check that the build writes it and that the start command runs that file",
		"pg-auth-failed.txt":            `the database refused the login as "postgres": connect with $DATABASE_URL (or PGHOST, PGUSER, PGPASSWORD, PGDATABASE)`,
		"pg-econnrefused.txt":           "the database connection to 127.0.0.1:5432 was refused: connect with $DATABASE_URL",
		"host-db.txt":                   `the host name "db" does not resolve in the box: reach the database with $DATABASE_URL`,
		"ts-module-not-found.txt":       `tsc: module "@nestjs/typeorm" is not installed (imported by src/app.module.ts:3): add it, and its @types package if it has one, to package.json`,
		"npm-e404.txt":                  "npm: package @shopping/shared-types is not in the registry registry.npmjs.org (404): fix its name or version in package.json",
		"node-gyp-download-blocked.txt": "bcrypt could not be built: its download from nodejs.org was blocked (the box reaches only package registries); it must compile from source with node-gyp (python3, make, g++ and the Node headers are in the box)",
		"python-traceback.txt":          "Exception: quantities were doubled already",
		"python-module-missing.txt":     `Python module "psycopg2" is not installed: add psycopg2 to requirements.txt`,
		"pip-no-version.txt":            "pip: no version of Django==9.9 could be downloaded from the package index: fix it in requirements.txt (the box reaches only package registries)",
		"go-panic.txt":                  "panic: runtime error: invalid memory address or nil pointer dereference",
		"go-module-missing.txt":         "Go package github.com/jackc/pgx/v5 is not in go.mod: run `go get github.com/jackc/pgx/v5` and commit go.mod and go.sum",
		"go-log-fatal.txt":              "read config: SHOPPING_SECRET is not set",
		"eaddrinuse.txt":                "the address is already in use (port 3000): listen once, on $PORT",
		"unhandled-rejection.txt":       "unhandled promise rejection: items table missing: await the promise inside try/catch and fix its cause",
		"release-error-line.txt":        "Error: endpoint answered 503",
		"tsc-not-found.txt":             "command tsc was not found: declare it as a dependency (npm ci installs devDependencies) or use a tool the box has",
	} {
		out, err := os.ReadFile(filepath.Join("testdata", "rootcause", file))
		if err != nil {
			t.Fatal(err)
		}
		if got := rootCause(string(out)); got != want {
			t.Errorf("%s:\n got %q\nwant %q", file, got, want)
		}
	}
}

func TestRootCauseOfNothing(t *testing.T) {
	if got := rootCause("\n  \nNode.js v20.20.2\n"); got != "" {
		t.Fatalf("%q", got)
	}
}

// TestFailureMessage puts the cause first and what the sandbox saw after;
// a limit the phase hit is its own cause, whatever the output says.
func TestFailureMessage(t *testing.T) {
	exited := &sandbox.Result{Cause: sandbox.CauseExited, ExitCode: 1, Message: "build exited with status 1",
		Output: "sh: 1: tsc: not found\n", Egress: []sandbox.Tunnel{{Host: "github.com", Refused: "not a registry"}}}
	want := "command tsc was not found: declare it as a dependency (npm ci installs devDependencies) or use a tool the box has; " +
		"the box refused downloads from github.com (it reaches only package registries) (npm run build: build exited with status 1)"
	if got := failureMessage(exited, "npm run build"); got != want {
		t.Errorf("exited:\n got %q\nwant %q", got, want)
	}
	silent := &sandbox.Result{Cause: sandbox.CauseExited, ExitCode: 3, Message: "release exited with status 3"}
	if got := failureMessage(silent, ""); got != "release exited with status 3" {
		t.Errorf("silent: %q", got)
	}
	timeout := &sandbox.Result{Cause: sandbox.CauseTimeout, Message: "build exceeded 10 minutes", Output: "Error: x\n    at y\n"}
	if got := failureMessage(timeout, ""); got != "build exceeded 10 minutes" {
		t.Errorf("timeout: %q", got)
	}
	long := rootCause("Error: " + strings.Repeat("é", 400) + "\n    at x\n")
	if len(long) > maxCauseLen+len("…") || !strings.HasSuffix(long, "…") {
		t.Errorf("long cause not clipped: %d bytes", len(long))
	}
}
