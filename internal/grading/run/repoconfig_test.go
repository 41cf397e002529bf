package run

import (
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readFixtureConfig(t *testing.T, name string) (*repoConfig, error) {
	t.Helper()
	root, err := os.OpenRoot(filepath.Join("testdata", "repoconfig", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return readRepoConfig(root)
}

var forward = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5432}

// engineEnv stands for the variables the engine sets itself.
var engineEnv = map[string]string{"DATABASE_URL": "postgres://sub@127.0.0.1:5432/sub", "PGHOST": "127.0.0.1", "PORT": "41000"}

func settingsByName(s []dbSetting) map[string]string {
	m := map[string]string{}
	for _, d := range s {
		m[d.name] = d.value
	}
	return m
}

// TestComposeAppService: the app service's environment (interpolated from
// .env), command and port are read; the database service's are not; the
// engine's own $DATABASE_URL wins over the compose file's.
func TestComposeAppService(t *testing.T) {
	c, err := readFixtureConfig(t, "compose")
	if err != nil {
		t.Fatal(err)
	}
	if c.service != "app" || c.command != "node dist/main.js" || c.port != 3000 {
		t.Errorf("service %q command %q port %d, want app, node dist/main.js, 3000", c.service, c.command, c.port)
	}
	if _, ok := c.env["POSTGRES_USER"]; ok {
		t.Error("the database service's environment was read as the app's")
	}
	settings := c.boxDatabaseEnv(forward, engineEnv)
	want := map[string]string{"TYPEORM_HOST": "127.0.0.1", "TYPEORM_PORT": "5432", "TYPEORM_PASSWORD": "hunter2", "DB_PASSWORD": "hunter2"}
	if got := settingsByName(settings); !maps.Equal(got, want) {
		t.Errorf("settings %v, want %v", got, want)
	}
	line := describeDatabaseEnv(settings, c.source)
	if !strings.Contains(line, ".env and docker-compose.yml (service app)") || !strings.Contains(line, "TYPEORM_HOST (db → 127.0.0.1)") {
		t.Errorf("adaptation line %q", line)
	}
	if strings.Contains(line, "hunter2") {
		t.Errorf("adaptation line %q shows a password", line)
	}
}

// TestComposeDatabaseURLUnderAnotherName: a postgres:// URL gets the
// forward's host and port and no TLS, keeping its user and database.
func TestComposeDatabaseURLUnderAnotherName(t *testing.T) {
	c, err := readFixtureConfig(t, "compose")
	if err != nil {
		t.Fatal(err)
	}
	settings := c.boxDatabaseEnv(forward, map[string]string{})
	got := settingsByName(settings)["DATABASE_URL"]
	if got != "postgres://postgres:postgres@127.0.0.1:5432/app?sslmode=disable" {
		t.Errorf("DATABASE_URL became %q", got)
	}
	line := describeDatabaseEnv(settings, c.source)
	if !strings.Contains(line, "DATABASE_URL (host db:5432 → 127.0.0.1:5432)") || strings.Contains(line, "postgres:postgres") {
		t.Errorf("adaptation line %q: want the host change and no credentials", line)
	}
}

// TestDotenvDatabaseVariables: .env wins over .env.example; hosts and
// ports point at the forward, users and names stay as written, other
// variables are not database settings.
func TestDotenvDatabaseVariables(t *testing.T) {
	c, err := readFixtureConfig(t, "dotenv")
	if err != nil {
		t.Fatal(err)
	}
	settings := c.boxDatabaseEnv(forward, engineEnv)
	want := map[string]string{"DB_HOST": "127.0.0.1", "DB_PORT": "5432", "DB_USER": "shop", "DB_PASSWORD": "s3cret value", "DB_NAME": "shopping"}
	if got := settingsByName(settings); !maps.Equal(got, want) {
		t.Errorf("settings %v, want %v", got, want)
	}
	line := describeDatabaseEnv(settings, c.source)
	wantLine := "database settings from .env passed to the service, pointed at the box's database: " +
		"DB_HOST (localhost → 127.0.0.1), DB_NAME, DB_PASSWORD, DB_PORT (5433 → 5432), DB_USER"
	if line != wantLine {
		t.Errorf("adaptation line\n%q, want\n%q", line, wantLine)
	}
	if c.env["PORT"] != "4000" {
		t.Errorf("PORT %q, want 4000 learned from .env", c.env["PORT"])
	}
}

func TestEnvExampleStandsInForAMissingEnv(t *testing.T) {
	c, err := readFixtureConfig(t, "example-only")
	if err != nil {
		t.Fatal(err)
	}
	settings := c.boxDatabaseEnv(forward, engineEnv)
	if len(settings) != 1 || settings[0].value != "postgresql://user:pass@127.0.0.1:5432/shop" {
		t.Errorf("settings %+v", settings)
	}
}

func TestBrokenComposeFileIsAnErrorNotAStop(t *testing.T) {
	c, err := readFixtureConfig(t, "broken")
	// The parser's message quotes the line, which could hold a password.
	if err == nil || err.Error() != "compose.yaml could not be parsed" {
		t.Errorf("error %v, want only that compose.yaml could not be parsed", err)
	}
	if c == nil || len(c.env) != 0 {
		t.Errorf("config %+v, want an empty one", c)
	}
}

func TestIsDatabaseVar(t *testing.T) {
	var got []string
	for _, name := range []string{"DB_HOST", "APP_DB_URL", "DATABASE_NAME", "POSTGRES_USER", "PG_PORT", "TYPEORM_HOST",
		"db_user", "PORT", "JWT_SECRET", "DEBUG", "DBX"} {
		if isDatabaseVar(name) {
			got = append(got, name)
		}
	}
	want := []string{"DB_HOST", "APP_DB_URL", "DATABASE_NAME", "POSTGRES_USER", "PG_PORT", "TYPEORM_HOST", "db_user"}
	if !slices.Equal(got, want) {
		t.Errorf("database variables %v, want %v", got, want)
	}
}

// TestServicePort: the compose file's published container port comes
// before PORT in .env; a PORT that is no port names none.
func TestServicePort(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  *repoConfig
		port int
		why  string
	}{
		{"compose", &repoConfig{port: 5000, commandFrom: "compose.yaml (service api)", env: map[string]string{"PORT": "3000"}},
			5000, "published in compose.yaml (service api)"},
		{"dotenv", &repoConfig{env: map[string]string{"PORT": " 3000"}, source: map[string]string{"PORT": ".env.example"}},
			3000, "PORT in .env.example"},
		{"not a port", &repoConfig{env: map[string]string{"PORT": "${PORT}"}}, 0, ""},
		{"out of range", &repoConfig{env: map[string]string{"PORT": "70000"}}, 0, ""},
	} {
		if port, why := tc.cfg.servicePort(); port != tc.port || why != tc.why {
			t.Errorf("%s: %d %q, want %d %q", tc.name, port, why, tc.port, tc.why)
		}
	}
}
