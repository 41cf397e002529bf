package sandbox

import (
	"testing"
)

// TestDatabaseHostNamesResolveToLoopback: a service configured for a compose
// file's database host (db, postgres, database) or localhost reaches the
// box's loopback, where the grading database's forward listens.
func TestDatabaseHostNamesResolveToLoopback(t *testing.T) {
	m := newManager(t)
	b := newBox(t, m, "hosts")
	for _, name := range []string{"db", "postgres", "database", "localhost"} {
		// Node resolves as most services do: every address, in the order given.
		lookup := `node -e 'require("dns").lookup(process.argv[1], {all: true}, (e, a) => console.log(e ? e.code : a.map(x => x.address).join(" ")))' ` + name
		r := run(t, b, Spec{Phase: "web", Command: lookup})
		if !r.OK() || r.Output != "127.0.0.1\n" {
			t.Errorf("%s resolves to %q (%s), want 127.0.0.1 only", name, r.Output, r.Message)
		}
	}
}
