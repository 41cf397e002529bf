package sandbox

import (
	"os"
	"path/filepath"
	"sort"
)

// DefaultPath is PATH inside a box unless Spec.Env sets one: the system directories and
// the toolchains (Go, Node.js, Python) that are mounted read-only.
const DefaultPath = "/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin"

// nodeHeadersPrefix is the prefix under which the system Node.js keeps its
// headers (include/node/common.gypi, node.h), mounted read-only with /usr.
const nodeHeadersPrefix = "/usr"

// nativeNodeEnv lets native Node modules (bcrypt, sqlite3) compile in the box,
// where the egress proxy refuses the hosts their prebuilt binaries and
// node-gyp's headers come from (GitHub, nodejs.org): node-gyp compiles against
// the system headers with the system python3, make and g++, and a build
// compiles from source rather than try those downloads. Empty when the
// headers are not installed: node-gyp then tries its download and the
// failure names the host.
func nativeNodeEnv(phase string) map[string]string {
	if _, err := os.Stat(filepath.Join(nodeHeadersPrefix, "include", "node", "common.gypi")); err != nil {
		return nil
	}
	env := map[string]string{"npm_config_nodedir": nodeHeadersPrefix}
	if phase == "build" {
		env["npm_config_build_from_source"] = "true"
	}
	return env
}

// environment builds a phase's environment from nothing: the contract's variables
// (Spec.Env), PATH, HOME (inside the checkout, so per-build npm, Go and pip caches live
// in the box and go away with it), LANG, and the egress proxy variables of a build. The
// worker's own environment never reaches the command.
func (b *Box) environment(s Spec, proxy *egressProxy) []string {
	home := filepath.Join(b.InsideDir(), ".home") // a dot directory: "go build ./..." skips it
	env := map[string]string{
		"PATH":        DefaultPath,
		"HOME":        home,
		"LANG":        "C.UTF-8",
		"TMPDIR":      "/tmp",
		"GOTOOLCHAIN": "local", // never download another Go toolchain
		"GOCACHE":     filepath.Join(home, ".cache", "go-build"),
		"GOPATH":      filepath.Join(home, "go"),
	}
	if b.ns == nil {
		env["TMPDIR"] = filepath.Join(b.work, "tmp")
	}
	if b.warm != "" {
		// The shared module cache is read-only: Go reads it as a file:// proxy and falls
		// back to the registry for what it lacks.
		env["GOPROXY"] = "file://" + warmCacheInside + "/" + WarmGoModDir + ",https://proxy.golang.org"
	}
	if b.goCache != nil {
		env["GOCACHE"] = goCacheInside
	}
	for k, v := range nativeNodeEnv(s.Phase) {
		env[k] = v
	}
	for k, v := range proxyEnv(proxy) {
		env[k] = v
	}
	for k, v := range s.Env {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
