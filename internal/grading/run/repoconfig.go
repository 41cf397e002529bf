package run

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/joho/godotenv"
)

// repoConfig is what a repository's own configuration files say about
// running it outside docker: its .env (or, without one, .env.example) and
// the app service of its docker-compose file. Read with the parsers those
// formats have (godotenv; a YAML decoder of only the compose fields used),
// never executed.
type repoConfig struct {
	// env is every variable the files set, compose's app environment over
	// .env's (as docker compose does), by name.
	env map[string]string
	// source names, per variable, the file it came from.
	source map[string]string
	// service is the compose file's app service; command is its command
	// (commandFrom names the file and service) and port the container port
	// it publishes (0: none), for start detection.
	service, command, commandFrom string
	port                          int
}

// servicePort is the port the repository says its service listens on: the
// container port its compose file publishes, else PORT in its .env (or the
// compose environment); 0 when it says none. why names where it was read.
func (c *repoConfig) servicePort() (port int, why string) {
	if c.port > 0 {
		return c.port, "published in " + c.commandFrom
	}
	if p, err := strconv.Atoi(strings.TrimSpace(c.env["PORT"])); err == nil && p > 0 && p <= 65535 {
		return p, "PORT in " + c.source["PORT"]
	}
	return 0, ""
}

// maxConfigBytes bounds what is read of each configuration file.
const maxConfigBytes = 256 << 10

// composeFiles are docker compose's own default names, in its order.
var composeFiles = []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}

// readRepoConfig reads the configuration files at the checkout's root. A
// file that is absent is skipped; one that cannot be parsed is an error the
// caller reports without stopping the run.
func readRepoConfig(root *os.Root) (*repoConfig, error) {
	c := &repoConfig{env: map[string]string{}, source: map[string]string{}}
	var errs []error
	for _, name := range []string{".env", ".env.example"} {
		b, err := readSmall(root, name, maxConfigBytes)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			break
		}
		vars, err := godotenv.Parse(bytes.NewReader(b))
		if err != nil {
			errs = append(errs, notParsed(name))
			break
		}
		c.set(vars, name)
		break // .env.example only stands in for a .env the repository leaves out
	}
	for _, name := range composeFiles {
		b, err := readSmall(root, name, maxConfigBytes)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		case c.readCompose(b, name) != nil:
			errs = append(errs, notParsed(name))
		}
		break
	}
	return c, errors.Join(errs...)
}

// notParsed names a file its parser refused. The parser's own message is
// left out: it quotes the offending line, which may hold a password, and
// the error goes on the scorecard.
func notParsed(name string) error { return fmt.Errorf("%s could not be parsed", name) }

func (c *repoConfig) set(vars map[string]string, source string) {
	for k, v := range vars {
		c.env[k], c.source[k] = v, source
	}
}

// composeFile holds the only fields of a compose file read here.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Build       any    `yaml:"build"`
	Image       string `yaml:"image"`
	Environment any    `yaml:"environment"` // a map, or a list of NAME=value
	Command     any    `yaml:"command"`     // a string, or a list of words
	Ports       []any  `yaml:"ports"`       // "3000:3000", "127.0.0.1:3000:3000/tcp", 3000
}

// appServiceNames are the names candidates give the service they wrote.
var appServiceNames = []string{"app", "api", "server", "backend", "web"}

// readCompose takes the app service's environment (interpolated from .env,
// as compose does), command and port.
func (c *repoConfig) readCompose(b []byte, file string) error {
	var f composeFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		return err
	}
	name, ok := appService(f.Services)
	if !ok {
		return nil
	}
	s := f.Services[name]
	c.service = name
	vars := map[string]string{}
	switch env := s.Environment.(type) {
	case map[string]any:
		for k, v := range env {
			if v != nil { // NAME: with no value passes the host's through
				vars[k] = fmt.Sprint(v)
			}
		}
	case []any:
		for _, item := range env {
			if k, v, ok := strings.Cut(fmt.Sprint(item), "="); ok {
				vars[k] = v
			}
		}
	}
	for k, v := range vars {
		vars[k] = c.interpolate(v)
	}
	c.set(vars, file+" (service "+name+")")
	c.commandFrom = file + " (service " + name + ")"
	switch cmd := s.Command.(type) {
	case string:
		c.command = c.interpolate(cmd)
	case []any:
		words := make([]string, len(cmd))
		for i, w := range cmd {
			words[i] = c.interpolate(fmt.Sprint(w))
		}
		c.command = strings.Join(words, " ")
	}
	for _, p := range s.Ports {
		if port := containerPort(fmt.Sprint(p)); port > 0 {
			c.port = port
			break
		}
	}
	return nil
}

// appService picks the service the repository builds itself (it has a
// build: key), preferring the usual names; the database and other images
// pulled as they are never are.
func appService(services map[string]composeService) (string, bool) {
	var built []string
	for name, s := range services {
		if s.Build != nil {
			built = append(built, name)
		}
	}
	sort.Strings(built)
	for _, want := range appServiceNames {
		if slices.Contains(built, want) {
			return want, true
		}
	}
	if len(built) > 0 {
		return built[0], true
	}
	return "", false
}

// interpolate expands ${NAME}, ${NAME:-default}, ${NAME-default} and $NAME
// from the .env variables, as compose does with its .env file.
func (c *repoConfig) interpolate(s string) string {
	return os.Expand(s, func(expr string) string {
		name, def, hasDef := strings.Cut(expr, ":-")
		if !hasDef {
			name, def, _ = strings.Cut(expr, "-")
		}
		if v, ok := c.env[name]; ok && (v != "" || !hasDef) {
			return v
		}
		return def
	})
}

// containerPort is the container side of a compose port mapping.
func containerPort(spec string) int {
	spec, _, _ = strings.Cut(spec, "/")
	if i := strings.LastIndexByte(spec, ':'); i >= 0 {
		spec = spec[i+1:]
	}
	n, err := strconv.Atoi(spec)
	if err != nil || n <= 0 || n > 65535 {
		return 0
	}
	return n
}

// databaseWords are the name parts that mark a database variable
// (DB_HOST, APP_DB_URL, DATABASE_NAME, POSTGRES_USER, TYPEORM_HOST...).
var databaseWords = []string{"DB", "DATABASE", "POSTGRES", "POSTGRESQL", "PG", "TYPEORM"}

// dbSetting is one database variable passed to the service.
type dbSetting struct {
	name, value string
	// note says what changed, for the adaptation line ("localhost →
	// 127.0.0.1"); "" when passed as written. Never a secret: only hosts
	// and ports are shown.
	note string
}

// boxDatabaseEnv turns the repository's database variables into the
// service's environment, pointed at the box's database forward (addr):
// hosts and ports become the forward's, postgres:// URLs get its host and
// port (and sslmode=disable), users, database names and passwords stay as
// the repository wrote them (the forward maps those logins). Variables the
// engine sets itself (in own) are left alone: $DATABASE_URL and PG* always
// win.
func (c *repoConfig) boxDatabaseEnv(addr *net.TCPAddr, own map[string]string) []dbSetting {
	host, port := addr.IP.String(), strconv.Itoa(addr.Port)
	var out []dbSetting
	for name, value := range c.env {
		if _, taken := own[name]; taken || !isDatabaseVar(name) {
			continue
		}
		s := dbSetting{name: name, value: value}
		upper := strings.ToUpper(name)
		switch {
		case strings.HasPrefix(value, "postgres://") || strings.HasPrefix(value, "postgresql://"):
			s.value, s.note = pointURL(value, net.JoinHostPort(host, port))
		case strings.HasSuffix(upper, "HOST") || strings.HasSuffix(upper, "HOSTNAME") || strings.HasSuffix(upper, "SERVER"):
			s.value = host
		case strings.HasSuffix(upper, "PORT"):
			s.value = port
		}
		if s.note == "" && s.value != value {
			s.note = value + " → " + s.value
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b dbSetting) int { return strings.Compare(a.name, b.name) })
	return out
}

func isDatabaseVar(name string) bool {
	for _, word := range strings.Split(strings.ToUpper(name), "_") {
		if slices.Contains(databaseWords, word) {
			return true
		}
	}
	return false
}

// pointURL gives a postgres:// URL the forward's address and no TLS; the
// note shows the host change only (the URL may hold a password).
func pointURL(raw, hostport string) (string, string) {
	u, err := url.Parse(raw)
	if err != nil {
		return raw, ""
	}
	before := u.Host
	u.Host = hostport
	q := u.Query()
	if q.Has("sslmode") || q.Has("ssl") {
		q.Set("sslmode", "disable")
		q.Del("ssl")
		u.RawQuery = q.Encode()
	}
	return u.String(), "host " + before + " → " + hostport
}

// describeDatabaseEnv is the adaptation line for the settings passed.
func describeDatabaseEnv(settings []dbSetting, source map[string]string) string {
	var files []string
	parts := make([]string, len(settings))
	for i, s := range settings {
		parts[i] = s.name
		if s.note != "" {
			parts[i] += " (" + s.note + ")"
		}
		if f := source[s.name]; !slices.Contains(files, f) {
			files = append(files, f)
		}
	}
	return fmt.Sprintf("database settings from %s passed to the service, pointed at the box's database: %s",
		strings.Join(files, " and "), strings.Join(parts, ", "))
}
