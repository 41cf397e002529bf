package run_test

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
	"github.com/assayhq/assay/internal/grading/run"
	"github.com/assayhq/assay/internal/sandbox"
	"github.com/assayhq/assay/internal/testenv"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// tinyService answers [] on every path: enough to be ready, with no build.
const tinyService = `web: node -e "require('http').createServer((q, s) => { s.setHeader('Content-Type', 'application/json'); s.end('[]') }).listen(process.env.PORT)"` + "\n"

func repo(t *testing.T, files map[string]string) string {
	t.Helper()
	src := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dest := filepath.Join(t.TempDir(), "repo")
	if err := gradingtest.Repo(src, dest); err != nil {
		t.Fatal(err)
	}
	return dest
}

func suite(grade func(ctx context.Context, g *grading.Grader) error) *grading.Suite {
	return &grading.Suite{Slug: "runner-test", Version: "1", ReadyPath: "/", Grade: grade,
		Checks: append(grading.SetupChecks(),
			grading.CheckDef{ID: "only.check", Title: "Only", Category: grading.Correctness, Points: 90, Visibility: grading.Visible})}
}

func env(t *testing.T) *gradingtest.Env {
	t.Helper()
	e, err := gradingtest.Shared()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// databaseGone says whether the submission database name no longer exists.
func databaseGone(t *testing.T, name string) bool {
	t.Helper()
	db, err := sql.Open("pgx", testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 0
}

// startAndRemember starts the service and returns its database's name.
func startAndRemember(ctx context.Context, t *testing.T, g *grading.Grader) string {
	svc, err := g.Start(ctx, grading.StartOptions{})
	if err != nil {
		t.Errorf("start: %v", err)
		return ""
	}
	var name string
	if err := svc.DB().QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
		t.Errorf("inspect: %v", err)
	}
	return name
}

func TestRunPanicStillCleansUp(t *testing.T) {
	var dbName string
	s := suite(func(ctx context.Context, g *grading.Grader) error {
		dbName = startAndRemember(ctx, t, g)
		panic("boom")
	})
	card, err := env(t).Grade(context.Background(), s, repo(t, map[string]string{"Procfile": tinyService}), gradingtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if card.Status != grading.StatusError || !strings.Contains(strings.Join(card.Notices, " "), "boom") {
		t.Errorf("status %s, notices %q", card.Status, card.Notices)
	}
	if c := card.Check("only.check"); c.Status != grading.CheckNotRun {
		t.Errorf("check %s after a panic", c.Status)
	}
	if dbName == "" || !databaseGone(t, dbName) {
		t.Errorf("database %q not dropped after a panic", dbName)
	}
}

func TestRunCanceledStillCleansUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var dbName string
	s := suite(func(gctx context.Context, g *grading.Grader) error {
		dbName = startAndRemember(gctx, t, g)
		cancel()
		return gctx.Err()
	})
	card, err := env(t).Grade(ctx, s, repo(t, map[string]string{"Procfile": tinyService}), gradingtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if card.Status != grading.StatusError || card.SchemaDump == "" {
		t.Errorf("status %s, schema dump %d bytes, notices %q", card.Status, len(card.SchemaDump), card.Notices)
	}
	if dbName == "" || !databaseGone(t, dbName) {
		t.Errorf("database %q not dropped after cancellation", dbName)
	}
}

func TestRunStartFailedMarksEveryCheckNotRun(t *testing.T) {
	s := suite(func(ctx context.Context, g *grading.Grader) error {
		_, err := g.Start(ctx, grading.StartOptions{})
		return err
	})
	files := map[string]string{"Procfile": "release: echo migrating; echo 'relation \"x\" already exists' >&2; exit 3\n" + tinyService}
	card, err := env(t).Grade(context.Background(), s, repo(t, files), gradingtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	last := card.Phases[len(card.Phases)-1]
	if card.Status != grading.StatusStartFailed || last.Name != "release" || last.ExitCode != 3 || !strings.Contains(last.OutputTail, "already exists") {
		t.Errorf("status %s, last phase %+v", card.Status, last)
	}
	if c := card.Check("only.check"); c.Status != grading.CheckNotRun || !strings.Contains(c.Message, "already exists") {
		t.Errorf("check %+v", c)
	}
}

// A build whose registry cannot be reached is the platform's fault: status
// error, never build_failed.
func TestRunRegistryUnreachableIsError(t *testing.T) {
	if gradingtest.Mode() != sandbox.ModeBwrap {
		t.Skip("the egress proxy exists in bwrap mode only")
	}
	m, err := sandbox.New(sandbox.Config{StateDir: filepath.Join(os.TempDir(), "assay-gradingtest"),
		Dial: func(context.Context, string, string) (net.Conn, error) { return nil, errors.New("network unreachable") }})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"Procfile": "build: go mod download\n" + tinyService,
		"go.mod":   "module example.com/x\n\ngo 1.22\n\nrequire github.com/lib/pq v1.10.9\n",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	card, err := run.Run(ctx, run.Options{Suite: suite(func(context.Context, *grading.Grader) error { return nil }),
		RepoURL: repo(t, files), Sandbox: m, DB: env(t).DB, Fetch: gitfetch.Options{AllowLocal: true}})
	if err != nil {
		t.Fatal(err)
	}
	build := card.Phases[len(card.Phases)-1]
	if card.Status != grading.StatusError || build.Status != grading.PhaseError || !strings.Contains(build.Message, "proxy.golang.org") {
		t.Errorf("status %s, build %+v, notices %q", card.Status, build, card.Notices)
	}
}

// In strict mode a service that logs in as postgres is refused, and the
// scorecard says to use $DATABASE_URL.
func TestRunForeignLoginRefused(t *testing.T) {
	if gradingtest.Mode() != sandbox.ModeBwrap {
		t.Skip("in unsafe-local mode the service can reach the grading server directly")
	}
	s := suite(func(ctx context.Context, g *grading.Grader) error {
		_, err := g.Start(ctx, grading.StartOptions{})
		return err
	})
	files := map[string]string{"Procfile": "release: psql -h 127.0.0.1 -U postgres -d postgres -c 'select 1'\n" + tinyService}
	card, err := env(t).Grade(context.Background(), s, repo(t, files), gradingtest.Options{Mode: grading.ModeStrict})
	if err != nil {
		t.Fatal(err)
	}
	msg := card.Check("only.check").Message
	if card.Status != grading.StatusStartFailed || !strings.Contains(msg, `"postgres"`) || !strings.Contains(msg, "$DATABASE_URL") {
		t.Errorf("status %s, message %q, notices %q", card.Status, msg, card.Notices)
	}
}

// In adaptive mode the same login, to host db as a compose file names it,
// is served the submission's own database, and priced once in
// setup.database_url however often it is made.
func TestRunForeignLoginMapped(t *testing.T) {
	if gradingtest.Mode() != sandbox.ModeBwrap {
		// Without a box there is no namespace for the forward to stand in: the
		// service reaches the grading server itself, so no login goes through
		// the mapping (make test and CI always run in bwrap mode).
		t.Skip("unsafe-local mode has no database forward to map logins through")
	}
	s := suite(func(ctx context.Context, g *grading.Grader) error {
		_, err := g.Start(ctx, grading.StartOptions{})
		return err
	})
	login := "psql -h db -U postgres -d app -Atc 'select current_user = current_database()'"
	files := map[string]string{"Procfile": "release: " + login + " && " + login + "\n" + tinyService}
	card, err := env(t).Grade(context.Background(), s, repo(t, files), gradingtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var release grading.Phase
	for _, p := range card.Phases {
		if p.Name == "release" {
			release = p
		}
	}
	if card.Status != grading.StatusGraded || release.Status != grading.PhaseOK || !strings.HasPrefix(release.OutputTail, "t\nt") {
		t.Errorf("status %s, release %+v: want the submission's own role in its own database", card.Status, release)
	}
	want := []grading.Adaptation{{Check: grading.SetupDatabase.ID, Message: "logged in as postgres to database app: served your own database instead"}}
	if !slices.Equal(card.Adaptations, want) {
		t.Errorf("adaptations %+v, want %+v", card.Adaptations, want)
	}
	if c := card.Check(grading.SetupDatabase.ID); c.Status != grading.CheckFailed {
		t.Errorf("%s %s, want failed", c.ID, c.Status)
	}
}

// A Python submission gets a virtualenv at .venv, first on PATH for web.
func TestRunPythonVirtualenv(t *testing.T) {
	s := suite(func(ctx context.Context, g *grading.Grader) error {
		_, err := g.Start(ctx, grading.StartOptions{})
		if err != nil {
			return err
		}
		g.Check("only.check", func(*grading.C) {})
		return nil
	})
	files := map[string]string{
		"requirements.txt": "",
		"Procfile":         `web: case "$(command -v python3)" in */.venv/bin/python3) exec python3 -m http.server "$PORT" ;; *) echo "python3 is $(command -v python3)"; exit 1 ;; esac` + "\n",
	}
	card, err := env(t).Grade(context.Background(), s, repo(t, files), gradingtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if card.Status != grading.StatusGraded || card.Score != 100 {
		t.Errorf("status %s, score %d, phases %+v", card.Status, card.Score, card.Phases)
	}
}
