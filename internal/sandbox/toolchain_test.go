package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestToolchainsThroughProxy builds a Go module with a dependency and installs a Python
// package into a virtualenv, both fetching through the egress proxy (npm is covered by
// TestEgressRealRegistry). It reaches the Go module proxy and tries PyPI.
func TestToolchainsThroughProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("reaches the Go module proxy and PyPI")
	}
	m := newManager(t)
	b := newBox(t, m, "toolchains")
	files := map[string]string{
		"go.mod": "module example.com/svc\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
		"main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/google/uuid\"\n)\n\n" +
			"func main() { fmt.Println(len(uuid.NewString())) }\n",
		"requirements.txt": "six==1.16.0\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(b.Dir(), name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A fresh GOCACHE compiles the standard library packages it needs: give it both CPUs.
	r := run(t, b, Spec{Phase: "build", Egress: true, Limits: Limits{Wall: 3 * time.Minute, CPUs: 2},
		Command: "go mod tidy && go build -o svc ./... && ./svc"})
	if !r.OK() || !strings.HasSuffix(r.Output, "36\n") {
		t.Fatalf("%+v", r)
	}
	for _, tun := range r.Egress {
		if tun.Host != "proxy.golang.org" && tun.Host != "sum.golang.org" || tun.Refused != "" || tun.Error != "" {
			t.Errorf("tunnel %+v", tun)
		}
	}
	// pip goes through the proxy too. PyPI may be out of this host's reach: then the
	// build must fail as the platform's fault, naming the registry.
	r = run(t, b, Spec{Phase: "build", Egress: true, Limits: Limits{Wall: 2 * time.Minute},
		Command: "python3 -m venv .venv && .venv/bin/pip install -q --disable-pip-version-check --retries 0 --timeout 10 -r requirements.txt && " +
			".venv/bin/python -c 'import six; print(six.__version__)'"})
	if len(r.Egress) == 0 || r.Egress[0].Host != "pypi.org" {
		t.Fatalf("pip did not use the proxy: %+v", r)
	}
	if !(r.OK() && strings.HasSuffix(r.Output, "1.16.0\n")) && !strings.HasPrefix(r.PlatformFault, "pypi.org unreachable: ") {
		t.Fatalf("%+v", r)
	}
}

// TestNativeNodeModule installs bcrypt, a native module whose prebuilt binary
// lives on GitHub (refused by the egress proxy): it compiles from source in
// the box against the system Node headers and loads.
func TestNativeNodeModule(t *testing.T) {
	if testing.Short() {
		t.Skip("reaches registry.npmjs.org and compiles C++")
	}
	m := newManager(t)
	b := newBox(t, m, "native")
	pkg := `{"name":"t","version":"1.0.0","dependencies":{"bcrypt":"5.1.1"}}`
	if err := os.WriteFile(filepath.Join(b.Dir(), "package.json"), []byte(pkg), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, b, Spec{Phase: "build", Egress: true, Limits: Limits{Wall: 5 * time.Minute, CPUs: 2},
		Command: "npm install --no-audit --no-fund --loglevel=error && " +
			`node -e "console.log(require('bcrypt').compareSync('pw', require('bcrypt').hashSync('pw', 4)))"`})
	if !r.OK() || !strings.HasSuffix(r.Output, "true\n") {
		t.Fatalf("%+v", r)
	}
	for _, tun := range r.Egress {
		if tun.Host != "registry.npmjs.org" || tun.Refused != "" {
			t.Errorf("a download outside the registry was tried: %+v", tun)
		}
	}
}
