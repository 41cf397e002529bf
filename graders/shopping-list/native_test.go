package shoppinglist

import (
	"os"
	"path/filepath"

	"github.com/assayhq/assay/internal/grading"
)

// A repository that depends on a native Node module (bcrypt, compiled by
// node-gyp) builds offline in the box, in either mode: its prebuilt binary's
// host is not a registry, so it compiles from source against the system's
// Node headers (contract §1a, "builds that work offline").
func init() {
	withBcrypt := []edit{
		{"package.json", `"pg": "^8.13.0"`, `"bcrypt": "5.1.1",
    "pg": "^8.13.0"`},
		// The service loads the module at start: a module that did not build fails the start.
		{"Procfile", "web: node dist/src/server.js", `web: node -e "require('bcrypt').hashSync('x', 4)" && node dist/src/server.js`},
	}
	// Without its lock file the build runs npm install, which resolves bcrypt.
	noLock := func(dir string) error { return os.Remove(filepath.Join(dir, "package-lock.json")) }
	for _, mode := range []string{grading.ModeAdaptive, grading.ModeStrict} {
		solutions = append(solutions, solution{
			name: "bcrypt-dependency-" + mode, base: "typescript", mode: mode, status: grading.StatusGraded,
			edits: withBcrypt, setup: noLock,
		})
	}
}
