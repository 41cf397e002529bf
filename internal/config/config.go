// Package config turns the environment into a typed Config. A bad or missing
// value stops the program at start with an error that names the variable.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Config is everything Assay reads from its environment.
type Config struct {
	Env                string // "production" (default), "dev" or "test"
	DatabaseURL        string
	GradingDatabaseURL string
	RedisURL           string
	HTTPAddr           string
	BaseURL            string
	SecretKey          []byte
	DemoPassword       string // empty when unset: seed generates and prints one
	GitHosts           []string
	AllowLoopback      bool
	BuildEgressHosts   []string
	Sandbox            string // "bwrap" (default) or "unsafe-local"
	WarmGoCache        bool   // workers keep a shared read-only Go build cache (default on)
	WorkerConcurrency  int
	SMTPURL            string
	StateDir           string
	// TrustedProxies are the networks (CIDRs) whose X-Forwarded-For the web
	// server believes: the reverse proxies in front of it. None by default.
	TrustedProxies []string
	// MetricsToken is the bearer token /metrics asks for; unset, /metrics
	// is not served.
	MetricsToken string
}

// DefaultGitHosts are the repository hosts accepted when ASSAY_GIT_HOSTS is unset.
var DefaultGitHosts = []string{"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"}

// DefaultBuildEgressHosts are the package registries a build may reach.
var DefaultBuildEgressHosts = []string{
	"registry.npmjs.org", "proxy.golang.org", "sum.golang.org",
	"pypi.org", "files.pythonhosted.org",
}

// Load reads the configuration from the process environment.
func Load() (*Config, error) { return LoadFrom(os.Getenv) }

// LoadFrom reads the configuration through getenv, so tests can pass a map.
func LoadFrom(getenv func(string) string) (*Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		Env:          get("ASSAY_ENV", "production"),
		DatabaseURL:  get("ASSAY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/assay?sslmode=disable"),
		RedisURL:     get("ASSAY_REDIS_URL", "redis://127.0.0.1:6379/0"),
		HTTPAddr:     get("ASSAY_HTTP_ADDR", "127.0.0.1:8080"),
		DemoPassword: getenv("ASSAY_DEMO_PASSWORD"),
		Sandbox:      get("ASSAY_SANDBOX", "bwrap"),
		SMTPURL:      get("ASSAY_SMTP_URL", ""),
		StateDir:     get("ASSAY_STATE_DIR", defaultStateDir()),
	}
	switch c.Env {
	case "production", "dev", "test":
	default:
		return nil, fmt.Errorf("ASSAY_ENV: %q is not one of production, dev, test", c.Env)
	}
	c.GradingDatabaseURL = get("ASSAY_GRADING_DATABASE_URL", serverURL(c.DatabaseURL))
	// In this order: the grading URL defaults to the platform's server, so a
	// bad platform URL must be named as itself.
	for _, u := range []struct{ name, value string }{
		{"ASSAY_DATABASE_URL", c.DatabaseURL}, {"ASSAY_GRADING_DATABASE_URL", c.GradingDatabaseURL},
	} {
		if p, err := url.Parse(u.value); err != nil || (p.Scheme != "postgres" && p.Scheme != "postgresql") {
			return nil, fmt.Errorf("%s: want a postgres:// URL, got %q", u.name, u.value)
		}
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return nil, fmt.Errorf("ASSAY_REDIS_URL: want a redis:// URL, got %q", c.RedisURL)
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return nil, fmt.Errorf("ASSAY_HTTP_ADDR: want host:port, got %q", c.HTTPAddr)
	}
	c.BaseURL = strings.TrimRight(get("ASSAY_BASE_URL", "http://"+c.HTTPAddr), "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("ASSAY_BASE_URL: want an http(s) URL, got %q", c.BaseURL)
	}

	if secret := getenv("ASSAY_SECRET_KEY"); secret != "" {
		if len(secret) < 32 {
			return nil, fmt.Errorf("ASSAY_SECRET_KEY: must be at least 32 characters")
		}
		c.SecretKey = []byte(secret)
	} else if c.Dev() {
		key, err := devSecret(c.StateDir)
		if err != nil {
			return nil, fmt.Errorf("ASSAY_SECRET_KEY: unset and no dev key could be kept: %w", err)
		}
		c.SecretKey = key
	}

	c.GitHosts = splitList(get("ASSAY_GIT_HOSTS", strings.Join(DefaultGitHosts, ",")))
	c.BuildEgressHosts = splitList(get("ASSAY_BUILD_EGRESS_HOSTS", strings.Join(DefaultBuildEgressHosts, ",")))

	var err error
	if c.AllowLoopback, err = boolVar(getenv, "ASSAY_ALLOW_LOOPBACK", false); err != nil {
		return nil, err
	}
	if c.AllowLoopback && c.Env == "production" {
		return nil, fmt.Errorf("ASSAY_ALLOW_LOOPBACK: only allowed when ASSAY_ENV is dev or test")
	}
	switch c.Sandbox {
	case "bwrap", "unsafe-local":
	default:
		return nil, fmt.Errorf("ASSAY_SANDBOX: %q is not one of bwrap, unsafe-local", c.Sandbox)
	}
	if c.WarmGoCache, err = boolVar(getenv, "ASSAY_WARM_GO_CACHE", true); err != nil {
		return nil, err
	}
	c.WorkerConcurrency = runtime.NumCPU()
	if v := getenv("ASSAY_WORKER_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 256 {
			return nil, fmt.Errorf("ASSAY_WORKER_CONCURRENCY: want a number from 1 to 256, got %q", v)
		}
		c.WorkerConcurrency = n
	}
	if c.TrustedProxies, err = cidrList(getenv, "ASSAY_TRUSTED_PROXIES"); err != nil {
		return nil, err
	}
	if c.MetricsToken = strings.TrimSpace(getenv("ASSAY_METRICS_TOKEN")); c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return nil, fmt.Errorf("ASSAY_METRICS_TOKEN: must be at least 16 characters")
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return nil, fmt.Errorf("ASSAY_SMTP_URL: want smtp://user:pass@host:port, got an invalid URL")
		}
	}
	return c, nil
}

// RequireSecret is called by the commands that sign sessions and seal keys
// (serve, worker); grading from the command line needs no secret.
func (c *Config) RequireSecret() error {
	if len(c.SecretKey) == 0 {
		return fmt.Errorf("ASSAY_SECRET_KEY: required (at least 32 characters) unless ASSAY_ENV=dev")
	}
	return nil
}

// Dev reports whether development-only switches may be used.
func (c *Config) Dev() bool { return c.Env == "dev" || c.Env == "test" }

// serverURL is the same server's maintenance database: grading needs a
// server to create databases on, not the platform's own database.
func serverURL(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	u.Path = "/postgres"
	return u.String()
}

// boolVar reads a switch: def when unset, else 1/0 (or true/false).
func boolVar(getenv func(string) string, name string, def bool) (bool, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: want 1 or 0, got %q", name, v)
	}
	return on, nil
}

// cidrList reads comma-separated networks ("10.0.0.0/8, 192.0.2.7"); a
// bare address is a network of one.
func cidrList(getenv func(string) string, name string) ([]string, error) {
	var out []string
	for _, v := range splitList(getenv(name)) {
		if addr, err := netip.ParseAddr(v); err == nil {
			out = append(out, netip.PrefixFrom(addr, addr.BitLen()).String())
			continue
		}
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a CIDR such as 10.0.0.0/8 or an IP address", name, v)
		}
		out = append(out, p.Masked().String())
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// defaultStateDir is /var/lib/assay for root (the sandbox's unprivileged uid
// cannot traverse /root), else the user's cache directory.
func defaultStateDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/assay"
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "assay")
	}
	return filepath.Join(os.TempDir(), "assay")
}

// devSecret keeps one generated key in the state directory so that dashboard
// sessions survive a restart in development.
func devSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, "dev-secret-key")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	key := []byte(hex.EncodeToString(buf))
	// 0711: the sandbox's unprivileged uid must traverse the state
	// directory to reach its workspaces; the key file itself is 0600.
	if err := os.MkdirAll(dir, 0o711); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, err
	}
	return key, nil
}
