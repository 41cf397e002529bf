package planetscrud

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
)

// solution is a reference repository and the verdicts it must get.
type solution struct {
	base   string // directory under testdata/solutions
	edits  []gradingtest.Edit
	status string
	failed []string // checks that fail; every other check passes (graded) or is not run
	mode   string   // grading mode; "" is adaptive, the default
	// cause, when set, is in the reason of every failed check: one flaw
	// named the same way wherever it costs. Such a service keeps no table
	// in PostgreSQL, so its schema dump holds none.
	cause string
	// adaptations are pieces of the scorecard's adaptation lines, one per
	// line, in order (nil: nothing was adapted).
	adaptations []string
}

// Flawed variants are small edits of the Node.js solution: each breaks one
// thing. (Node builds in seconds; a cold Go build in the sandbox takes over
// a minute, so the Go solution is graded once, complete.)
var solutions = map[string]solution{
	"go":   {base: "go", status: grading.StatusGraded},
	"node": {base: "node", status: grading.StatusGraded},
	"int32-population": {base: "node", status: grading.StatusGraded, edits: []gradingtest.Edit{
		{File: "release.js", Old: "population bigint", New: "population integer"},
		{File: "release.js", Old: "      await client.query(\n        'INSERT", New: "      await client.query('SAVEPOINT p');\n      await client.query(\n        'INSERT"},
		{File: "release.js", Old: "        [p.name, p.population, p.terrains || [], p.climates || []],\n      );",
			New: "        [p.name, p.population, p.terrains || [], p.climates || []],\n      ).catch(async (err) => {\n        console.log(`skipping ${p.name}: ${err.message}`);\n        await client.query('ROLLBACK TO SAVEPOINT p');\n      });"},
	}, failed: []string{"import.complete", "import.large_population", "schema.population_bigint"}},
	"reimport-every-start": {base: "node", status: grading.StatusGraded, edits: []gradingtest.Edit{
		{File: "release.js", Old: "if (done.rowCount > 0) {", New: "if (false) {"},
		{File: "release.js", Old: "INSERT INTO planet_import DEFAULT VALUES", New: "INSERT INTO planet_import DEFAULT VALUES ON CONFLICT DO NOTHING"},
	}, failed: []string{"import.once_after_restart", "restart.no_resurrection"}},
	"deleted-come-back": {base: "node", status: grading.StatusGraded, edits: []gradingtest.Edit{
		{File: "release.js", Old: "if (done.rowCount > 0) {", New: "if (false) {"},
		{File: "release.js", Old: "INSERT INTO planet_import DEFAULT VALUES", New: "INSERT INTO planet_import DEFAULT VALUES ON CONFLICT DO NOTHING"},
		{File: "release.js", Old: "'INSERT INTO planets (name, population, terrains, climates) VALUES ($1, $2, $3, $4)'",
			New: "'INSERT INTO planets (name, population, terrains, climates) SELECT $1::text, $2::bigint, $3::text[], $4::text[] WHERE NOT EXISTS (SELECT 1 FROM planets WHERE name = $1::text)'"},
	}, failed: []string{"restart.no_resurrection"}},
	"no-retry": {base: "node", status: grading.StatusGraded, edits: []gradingtest.Edit{
		{File: "release.js", Old: "if (attempt === 5) throw err;", New: "if (attempt === 1) throw err;"},
	}, failed: []string{"resilience.retry_503"}},
	"malformed-500": {base: "node", status: grading.StatusGraded, edits: []gradingtest.Edit{
		{File: "server.js", Old: "return /^[0-9]{1,18}$/.test(raw) ? raw : null;", New: "return raw;"},
	}, failed: []string{"crud.get_malformed"}},
	"missing-404": {base: "node", status: grading.StatusGraded, edits: []gradingtest.Edit{
		{File: "server.js", Old: "WHERE id = $1`, [id]);\n    if (r.rowCount === 0) return fail(res, 404, 'planet not found');\n", New: "WHERE id = $1`, [id]);\n"},
	}, failed: []string{"crud.get_404"}},
	"wrong-port": {base: "node", status: grading.StatusStartFailed, mode: grading.ModeStrict, edits: []gradingtest.Edit{
		{File: "server.js", Old: "server.listen(Number(process.env.PORT),", New: "server.listen(3000,"},
	}},
	"build-fails": {base: "node", status: grading.StatusBuildFailed, edits: []gradingtest.Edit{
		{File: "package.json", Old: `"release": "node release.js",`, New: `"build": "node --check server.js",` + "\n    " + `"release": "node release.js",`},
		{File: "server.js", Old: "const fail = (res, status, message) =>", New: "const fail = (res, status, message) => =>"},
	}},
	"no-procfile": {base: "node", status: grading.StatusBuildFailed, mode: grading.ModeStrict, edits: []gradingtest.Edit{{File: "Procfile", Remove: true}}},
	// The reference solution follows the brief: strict grades it the same.
	"node-strict": {base: "node", status: grading.StatusGraded, mode: grading.ModeStrict},
	// Planets kept in memory, imported again on every start: the endpoints
	// and the import pass; the database check and the restart checks that see
	// what the restart lost fail, each naming the one cause.
	"memory-store": {base: "node-memory", status: grading.StatusGraded, cause: memoryCause,
		failed: []string{"schema.population_bigint", "restart.no_resurrection", "restart.edits_kept", "restart.persistence"}},
	"memory-store-strict": {base: "node-memory", status: grading.StatusGraded, mode: grading.ModeStrict, cause: memoryCause,
		failed: []string{"schema.population_bigint", "restart.no_resurrection", "restart.edits_kept", "restart.persistence"}},
	// The same hard-coded port, adaptive: graded through it, costing setup.port alone.
	"wrong-port-adaptive": {base: "node", status: grading.StatusGraded, edits: []gradingtest.Edit{
		{File: "server.js", Old: "server.listen(Number(process.env.PORT),", New: "server.listen(3000,"},
	}, failed: []string{grading.SetupPort.ID}, adaptations: []string{"listened on 3000, not $PORT: checks sent to 3000"}},
}

const memoryCause = "no tables in PostgreSQL: keep the data in the database at $DATABASE_URL"

// graded holds each solution's scorecard, graded once per test binary.
var graded = sync.OnceValue(gradeAll)

type outcome struct {
	card *grading.Scorecard
	err  error
	took time.Duration
}

// gradeAll grades every solution, two at a time (the machine has two cores).
func gradeAll() map[string]outcome {
	env, err := gradingtest.Shared()
	if err == nil {
		// The Go solution builds as on a worker, with the warm Go cache
		// (made once a machine, then reused while fresh).
		err = env.Warm(context.Background())
	}
	out := map[string]outcome{}
	if err != nil {
		for name := range solutions {
			out[name] = outcome{err: err}
		}
		return out
	}
	tmp, err := os.MkdirTemp("", "planets-solutions-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tmp)
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, 2)
	// The Go solution builds longest: start it first.
	names := []string{"go"}
	for name := range solutions {
		if name != "go" {
			names = append(names, name)
		}
	}
	sort.Strings(names[1:])
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			start := time.Now()
			card, err := gradeSolution(env, tmp, name)
			mu.Lock()
			out[name] = outcome{card: card, err: err, took: time.Since(start)}
			mu.Unlock()
		}()
	}
	wg.Wait()
	// The same commit graded again must give the same verdicts.
	start := time.Now()
	card, err := env.Grade(context.Background(), Suite, filepath.Join(tmp, "node"), gradingtest.Options{ReadyTimeout: 20 * time.Second})
	out["node (again)"] = outcome{card: card, err: err, took: time.Since(start)}
	if dir := os.Getenv("PLANETS_SCORECARDS_DIR"); dir != "" {
		for name, o := range out {
			if o.card != nil {
				var b strings.Builder
				grading.WriteJSON(&b, o.card)
				os.WriteFile(filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json"), []byte(b.String()), 0o644)
			}
		}
	}
	return out
}

func gradeSolution(env *gradingtest.Env, tmp, name string) (*grading.Scorecard, error) {
	s := solutions[name]
	repo := filepath.Join(tmp, name)
	if err := gradingtest.Repo(filepath.Join("testdata", "solutions", s.base), repo, s.edits...); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	return env.Grade(ctx, Suite, repo, gradingtest.Options{ReadyTimeout: 20 * time.Second, Mode: s.mode})
}

func TestSolutionVerdicts(t *testing.T) {
	results := graded()
	for name, s := range solutions {
		t.Run(name, func(t *testing.T) {
			r := results[name]
			if r.err != nil {
				t.Fatalf("grading failed: %v", r.err)
			}
			t.Logf("graded in %s: %s %d/%d", r.took.Round(time.Millisecond), r.card.Status, r.card.Score, r.card.MaxScore)
			if r.card.Status != s.status {
				t.Errorf("status %s, want %s\n%s", r.card.Status, s.status, text(r.card))
			}
			want := map[string]string{}
			for _, c := range Suite.Checks {
				switch {
				case s.status != grading.StatusGraded:
					want[c.ID] = grading.CheckNotRun
				case contains(s.failed, c.ID):
					want[c.ID] = grading.CheckFailed
				default:
					want[c.ID] = grading.CheckPassed
				}
			}
			for _, c := range r.card.Checks {
				if c.Status != want[c.ID] {
					t.Errorf("%s: %s (%s), want %s; evidence %v", c.ID, c.Status, c.Message, want[c.ID], evidenceText(c))
				}
			}
			if len(r.card.Adaptations) != len(s.adaptations) {
				t.Errorf("adaptations %+v, want %d saying %q", r.card.Adaptations, len(s.adaptations), s.adaptations)
			} else {
				for i, a := range r.card.Adaptations {
					if !strings.Contains(a.Message, s.adaptations[i]) {
						t.Errorf("adaptation %d is %q, want it to say %q", i, a.Message, s.adaptations[i])
					}
				}
			}
			for _, c := range r.card.Checks {
				if s.cause != "" && c.Status == grading.CheckFailed && !strings.Contains(c.Message, s.cause) {
					t.Errorf("%s failed with %q, want the cause %q", c.ID, c.Message, s.cause)
				}
			}
			checkScorecard(t, name, r.card)
			if len(r.card.Checks) != len(Suite.Checks) {
				t.Errorf("%d checks on the scorecard, want %d", len(r.card.Checks), len(Suite.Checks))
			}
			if t.Failed() {
				t.Log(text(r.card))
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func text(c *grading.Scorecard) string {
	var b strings.Builder
	grading.WriteText(&b, c)
	for _, p := range c.Phases {
		if p.Status != grading.PhaseOK {
			fmt.Fprintf(&b, "--- %s output:\n%s\n", p.Name, p.OutputTail)
		}
	}
	return b.String()
}

func evidenceText(c grading.CheckResult) string {
	s := fmt.Sprint(c.Evidence)
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return s
}

// checkScorecard asserts what every scorecard must say beyond its verdicts.
func checkScorecard(t *testing.T, name string, c *grading.Scorecard) {
	unsafe := gradingtest.Mode() == "unsafe-local"
	if got := len(c.Notices) > 0 && strings.HasPrefix(c.Notices[0], "graded without a sandbox"); got != unsafe {
		t.Errorf("unsafe-local notice first: %v, want %v (notices %q)", got, unsafe, c.Notices)
	}
	for _, ch := range c.Checks {
		if ch.Status != grading.CheckPassed && (ch.Message == "" || strings.Contains(ch.Message, "\n")) {
			t.Errorf("%s: message %q is not one line", ch.ID, ch.Message)
		}
	}
	switch c.Status {
	case grading.StatusGraded:
		if !strings.Contains(c.SchemaDump, "CREATE TABLE public.planets") && solutions[name].cause == "" {
			t.Errorf("schema dump lacks the planets table: %.300s", c.SchemaDump)
		}
		if c.Seed == 0 || len(c.Commit) != 40 {
			t.Errorf("seed %d, commit %q", c.Seed, c.Commit)
		}
	default:
		last := c.Phases[len(c.Phases)-1]
		if last.Status != grading.PhaseFailed || last.Message == "" {
			t.Errorf("last phase %+v: want a failed phase saying why", last)
		}
	}
	switch name {
	case "build-fails":
		if last := c.Phases[len(c.Phases)-1]; !strings.Contains(last.OutputTail, "SyntaxError") {
			t.Errorf("build output tail lacks the error: %q", last.OutputTail)
		}
	case "no-procfile":
		if last := c.Phases[len(c.Phases)-1]; !strings.Contains(last.Message, "no Procfile") {
			t.Errorf("build message: %q", last.Message)
		}
	case "wrong-port":
		if last := c.Phases[len(c.Phases)-1]; !unsafe && !strings.Contains(last.Message, "it listened on 3000 instead") {
			t.Errorf("web message does not name port 3000: %q", last.Message)
		}
	}
}

func TestSameCommitSameVerdicts(t *testing.T) {
	results := graded()
	a, b := results["node"], results["node (again)"]
	if a.err != nil || b.err != nil {
		t.Fatalf("grading failed: %v, %v", a.err, b.err)
	}
	if a.card.Seed != b.card.Seed || a.card.Commit != b.card.Commit {
		t.Errorf("seed %d/%d, commit %s/%s", a.card.Seed, b.card.Seed, a.card.Commit, b.card.Commit)
	}
	for i, ch := range a.card.Checks {
		if other := b.card.Checks[i]; other.Status != ch.Status || other.Message != ch.Message {
			t.Errorf("%s: %s %q, then %s %q", ch.ID, ch.Status, ch.Message, other.Status, other.Message)
		}
	}
}
