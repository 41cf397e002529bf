package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestBadValuesNameTheirVariable(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"ASSAY_ENV":                  {"ASSAY_ENV": "staging"},
		"ASSAY_DATABASE_URL":         {"ASSAY_DATABASE_URL": "mysql://x"},
		"ASSAY_GRADING_DATABASE_URL": {"ASSAY_GRADING_DATABASE_URL": "http://x"},
		"ASSAY_REDIS_URL":            {"ASSAY_REDIS_URL": "localhost:6379"},
		"ASSAY_HTTP_ADDR":            {"ASSAY_HTTP_ADDR": "8080"},
		"ASSAY_BASE_URL":             {"ASSAY_BASE_URL": "ftp://x"},
		"ASSAY_SECRET_KEY":           {"ASSAY_SECRET_KEY": "short"},
		"ASSAY_ALLOW_LOOPBACK":       {"ASSAY_ALLOW_LOOPBACK": "1"}, // production
		"ASSAY_SANDBOX":              {"ASSAY_SANDBOX": "docker"},
		"ASSAY_WORKER_CONCURRENCY":   {"ASSAY_WORKER_CONCURRENCY": "0"},
		"ASSAY_WARM_GO_CACHE":        {"ASSAY_WARM_GO_CACHE": "sometimes"},
		"ASSAY_SMTP_URL":             {"ASSAY_SMTP_URL": "mail.example.com"},
		"ASSAY_TRUSTED_PROXIES":      {"ASSAY_TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"},
		"ASSAY_METRICS_TOKEN":        {"ASSAY_METRICS_TOKEN": "short"},
	} {
		_, err := LoadFrom(env(vars))
		if err == nil || !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%s: got %v, want an error naming the variable", name, err)
		}
	}
}

func TestDefaults(t *testing.T) {
	c, err := LoadFrom(env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != "production" || c.HTTPAddr != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" ||
		c.Sandbox != "bwrap" || len(c.GitHosts) != 4 || c.AllowLoopback || c.WorkerConcurrency < 1 || !c.WarmGoCache {
		t.Fatalf("defaults: %+v", c)
	}
	if len(c.TrustedProxies) != 0 || c.MetricsToken != "" {
		t.Errorf("forwarded headers trusted from %v or metrics served by default (%q)", c.TrustedProxies, c.MetricsToken)
	}
	if !strings.HasSuffix(c.GradingDatabaseURL, "/postgres?sslmode=disable") {
		t.Errorf("grading server URL %q", c.GradingDatabaseURL)
	}
	// Grading from the command line needs no secret; serving does.
	if err := c.RequireSecret(); err == nil || !strings.HasPrefix(err.Error(), "ASSAY_SECRET_KEY:") {
		t.Errorf("RequireSecret without a key: %v", err)
	}
}

func TestDevKeepsAGeneratedSecretAndAllowsLoopback(t *testing.T) {
	dir := t.TempDir()
	vars := env(map[string]string{"ASSAY_ENV": "dev", "ASSAY_STATE_DIR": dir, "ASSAY_ALLOW_LOOPBACK": "1",
		"ASSAY_GIT_HOSTS": "github.com, 127.0.0.1:9418"})
	a, err := LoadFrom(vars)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadFrom(vars)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.SecretKey) < 32 || string(a.SecretKey) != string(b.SecretKey) || a.RequireSecret() != nil {
		t.Fatal("dev secret not generated once and kept")
	}
	if !a.AllowLoopback || a.GitHosts[1] != "127.0.0.1:9418" {
		t.Fatalf("loopback %v hosts %v", a.AllowLoopback, a.GitHosts)
	}
}

func TestTrustedProxiesAreNetworks(t *testing.T) {
	c, err := LoadFrom(env(map[string]string{"ASSAY_TRUSTED_PROXIES": "10.1.2.3/8, 192.0.2.7 ,2001:db8::1"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "2001:db8::1/128"}
	if strings.Join(c.TrustedProxies, " ") != strings.Join(want, " ") {
		t.Fatalf("trusted proxies %v, want %v", c.TrustedProxies, want)
	}
}
