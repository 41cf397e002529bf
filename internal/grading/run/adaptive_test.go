package run_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
)

// serverJS answers [] on every path, on the port given.
func serverJS(port string) string {
	return `require('http').createServer((q, s) => { s.setHeader('Content-Type', 'application/json'); s.end('[]') }).listen(` + port + `)` + "\n"
}

// startTwice starts the service, asks it once, restarts it and asks again:
// the only check passes when both answers are 200.
func startTwice(ctx context.Context, g *grading.Grader) error {
	svc, err := g.Start(ctx, grading.StartOptions{})
	if err != nil {
		return err
	}
	var statuses []int
	ask := func() {
		if r, err := svc.Do(ctx, "GET", "/", nil); err == nil {
			statuses = append(statuses, r.Status)
		}
	}
	ask()
	if err := svc.Restart(ctx); err != nil {
		return err
	}
	ask()
	g.Check("only.check", func(c *grading.C) {
		if !slices.Equal(statuses, []int{200, 200}) {
			c.Failf("answers %v, want 200 twice", statuses)
		}
	})
	return nil
}

// verdicts is a scorecard's check statuses by id.
func verdicts(card *grading.Scorecard) map[string]string {
	v := map[string]string{}
	for _, c := range card.Checks {
		v[c.ID] = c.Status
	}
	return v
}

func adaptationLines(card *grading.Scorecard) []string {
	var lines []string
	for _, a := range card.Adaptations {
		lines = append(lines, a.Check+": "+a.Message)
	}
	return lines
}

func lastFailedPhase(card *grading.Scorecard) grading.Phase {
	for i := len(card.Phases) - 1; i >= 0; i-- {
		if card.Phases[i].Status == grading.PhaseFailed {
			return card.Phases[i]
		}
	}
	return grading.Phase{}
}

// A repository without a Procfile is started with `npm start` in an
// adaptive run, which costs setup.procfile alone; a strict run stops at the
// build saying the Procfile is missing.
func TestRunWithoutProcfile(t *testing.T) {
	files := map[string]string{"package.json": `{"scripts":{"start":"node server.js"}}`, "server.js": serverJS("process.env.PORT")}
	t.Run("adaptive", func(t *testing.T) {
		card, err := env(t).Grade(context.Background(), suite(startTwice), repo(t, files), gradingtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"setup.procfile": grading.CheckFailed, "setup.port": grading.CheckPassed,
			"setup.database_url": grading.CheckPassed, "only.check": grading.CheckPassed}
		if card.Status != grading.StatusGraded || fmt.Sprint(verdicts(card)) != fmt.Sprint(want) {
			t.Errorf("status %s, verdicts %v, want %v; phases %+v", card.Status, verdicts(card), want, card.Phases)
		}
		lines := []string{"setup.procfile: no Procfile: started with `npm start` from package.json"}
		if !slices.Equal(adaptationLines(card), lines) {
			t.Errorf("adaptations %q, want %q", adaptationLines(card), lines)
		}
	})
	t.Run("no web line", func(t *testing.T) {
		// The Procfile's release still runs; only web is detected.
		files := map[string]string{"Procfile": "release: touch released\n",
			"package.json": `{"scripts":{"start":"test -f released && node server.js"}}`, "server.js": serverJS("process.env.PORT")}
		card, err := env(t).Grade(context.Background(), suite(startTwice), repo(t, files), gradingtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		lines := []string{"setup.procfile: the Procfile has no web: line: started with `npm start` from package.json"}
		if card.Status != grading.StatusGraded || card.Check("only.check").Status != grading.CheckPassed || !slices.Equal(adaptationLines(card), lines) {
			t.Errorf("status %s, verdicts %v, adaptations %q; phases %+v", card.Status, verdicts(card), adaptationLines(card), card.Phases)
		}
	})
	t.Run("strict", func(t *testing.T) {
		card, err := env(t).Grade(context.Background(), suite(startTwice), repo(t, files), gradingtest.Options{Mode: grading.ModeStrict})
		if err != nil {
			t.Fatal(err)
		}
		if p := lastFailedPhase(card); card.Status != grading.StatusBuildFailed || !strings.Contains(p.Message, "no Procfile") || len(card.Adaptations) != 0 {
			t.Errorf("status %s, failed phase %+v, adaptations %v", card.Status, p, card.Adaptations)
		}
	})
}

// A repository without a Procfile whose compose file gives its app service a
// command is started with that command: the candidate's own word comes before
// the buildpacks' conventions (here a package.json start script that fails).
func TestRunWithComposeCommand(t *testing.T) {
	files := map[string]string{
		"package.json": `{"scripts":{"start":"exit 1"}}`,
		"server.js":    serverJS("process.env.PORT"),
		"docker-compose.yml": "services:\n  api:\n    build: .\n    command: node server.js\n    ports: [\"3000:3000\"]\n" +
			"  db:\n    image: postgres:15\n",
	}
	card, err := env(t).Grade(context.Background(), suite(startTwice), repo(t, files), gradingtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{"setup.procfile: no Procfile: started with `node server.js` from docker-compose.yml (service api)"}
	if card.Status != grading.StatusGraded || card.Check("only.check").Status != grading.CheckPassed || !slices.Equal(adaptationLines(card), lines) {
		t.Errorf("status %s, verdicts %v, adaptations %q; phases %+v", card.Status, verdicts(card), adaptationLines(card), card.Phases)
	}
}

// A Django project without a Procfile gets `manage.py migrate` as release
// and Django's server as web; here Django is not installed (no
// requirements.txt), so the release fails, naming the module to add.
// (PyPI is not reachable from the machines that run these tests: an
// installed Django cannot be graded here.) Strict stops at the Procfile.
func TestRunDjangoDetected(t *testing.T) {
	files := map[string]string{"manage.py": "import os, sys\n" +
		"os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n" +
		"from django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n"}
	t.Run("adaptive", func(t *testing.T) {
		card, err := env(t).Grade(context.Background(), suite(startTwice), repo(t, files), gradingtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p := lastFailedPhase(card)
		want := `Python module "django" is not installed: add django to requirements.txt`
		if card.Status != grading.StatusStartFailed || p.Name != "release" || !strings.HasPrefix(p.Message, want) {
			t.Errorf("status %s, failed phase %+v, want release failing with %q", card.Status, p, want)
		}
		lines := []string{"setup.procfile: no Procfile: ran `python3 manage.py migrate --noinput` as release and started `python3 manage.py runserver 0.0.0.0:$PORT --noreload`"}
		if !slices.Equal(adaptationLines(card), lines) {
			t.Errorf("adaptations %q, want %q", adaptationLines(card), lines)
		}
	})
	t.Run("strict", func(t *testing.T) {
		card, err := env(t).Grade(context.Background(), suite(startTwice), repo(t, files), gradingtest.Options{Mode: grading.ModeStrict})
		if err != nil {
			t.Fatal(err)
		}
		if p := lastFailedPhase(card); card.Status != grading.StatusBuildFailed || !strings.Contains(p.Message, "no Procfile") {
			t.Errorf("status %s, failed phase %+v", card.Status, p)
		}
	})
}

// A repository detection knows nothing of fails its first start, saying
// what was looked for.
func TestRunNothingToStart(t *testing.T) {
	card, err := env(t).Grade(context.Background(), suite(startTwice), repo(t, map[string]string{"main.rb": "puts 1\n"}), gradingtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := lastFailedPhase(card)
	if card.Status != grading.StatusStartFailed || p.Name != "web" ||
		!strings.Contains(p.Message, "no Procfile, and no package.json, go.mod, manage.py, Flask or FastAPI app (app.py, main.py, wsgi.py, server.py, app/main.py) or main.py") || !strings.Contains(p.Message, "add a Procfile with a web: line") {
		t.Errorf("status %s, failed phase %+v", card.Status, p)
	}
	if c := card.Check("only.check"); c.Status != grading.CheckNotRun || len(card.Adaptations) != 0 {
		t.Errorf("check %+v, adaptations %v", c, card.Adaptations)
	}
}

// A service listening on 3000 is graded there in an adaptive run, found
// as soon as it listens and recorded once although it started twice; a
// strict run fails its start naming the port.
func TestRunOtherPort(t *testing.T) {
	files := map[string]string{"Procfile": "web: node server.js\n", "server.js": serverJS("3000")}
	t.Run("adaptive", func(t *testing.T) {
		start := time.Now()
		card, err := env(t).Grade(context.Background(), suite(startTwice), repo(t, files), gradingtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// Both starts would take the whole ready timeout if the port were
		// found only when it runs out.
		if took := time.Since(start); took > 50*time.Second {
			t.Errorf("graded in %s: the port was not found as soon as it listened", took)
		}
		want := map[string]string{"setup.procfile": grading.CheckPassed, "setup.port": grading.CheckFailed,
			"setup.database_url": grading.CheckPassed, "only.check": grading.CheckPassed}
		if card.Status != grading.StatusGraded || fmt.Sprint(verdicts(card)) != fmt.Sprint(want) {
			t.Errorf("status %s, verdicts %v, want %v; phases %+v", card.Status, verdicts(card), want, card.Phases)
		}
		lines := []string{"setup.port: listened on 3000, not $PORT: checks sent to 3000"}
		if !slices.Equal(adaptationLines(card), lines) {
			t.Errorf("adaptations %q, want %q", adaptationLines(card), lines)
		}
	})
	t.Run("second port first", func(t *testing.T) {
		// A metrics port opened just before $PORT is not taken for the service.
		files := map[string]string{"Procfile": "web: node server.js\n",
			"server.js": "require('net').createServer().listen(3001);\nsetTimeout(() => {\n" + serverJS("process.env.PORT") + "}, 200);\n"}
		card, err := env(t).Grade(context.Background(), suite(startTwice), repo(t, files), gradingtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if card.Status != grading.StatusGraded || card.Score != 100 || len(card.Adaptations) != 0 {
			t.Errorf("status %s, score %d, adaptations %v, verdicts %v", card.Status, card.Score, adaptationLines(card), verdicts(card))
		}
	})
	// The port the repository names is taken as soon as it listens, over a
	// lower one opened first (an admin port that answers nothing).
	adminFirst := "require('net').createServer((c) => c.destroy()).listen(4000);\nsetTimeout(() => {\n" + serverJS("5000") + "}, 100);\n"
	for _, tc := range []struct{ name, file, body, why string }{
		{"compose ports", "docker-compose.yml", "services:\n  app:\n    build: .\n    ports: [\"8080:5000\"]\n", "published in docker-compose.yml (service app)"},
		{"dotenv PORT", ".env", "PORT=5000\n", "PORT in .env"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"Procfile": "web: node server.js\n", "server.js": adminFirst, tc.file: tc.body}
			card, err := env(t).Grade(context.Background(), suite(startTwice), repo(t, files), gradingtest.Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"setup.procfile": grading.CheckPassed, "setup.port": grading.CheckFailed,
				"setup.database_url": grading.CheckPassed, "only.check": grading.CheckPassed}
			if card.Status != grading.StatusGraded || fmt.Sprint(verdicts(card)) != fmt.Sprint(want) {
				t.Errorf("status %s, verdicts %v, want %v; phases %+v", card.Status, verdicts(card), want, card.Phases)
			}
			lines := []string{"setup.port: listened on 5000 (" + tc.why + "), not $PORT: checks sent to 5000"}
			if !slices.Equal(adaptationLines(card), lines) {
				t.Errorf("adaptations %q, want %q", adaptationLines(card), lines)
			}
		})
	}
	t.Run("strict", func(t *testing.T) {
		card, err := env(t).Grade(context.Background(), suite(startTwice), repo(t, files),
			gradingtest.Options{Mode: grading.ModeStrict, ReadyTimeout: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if p := lastFailedPhase(card); card.Status != grading.StatusStartFailed || !strings.Contains(p.Message, "listened on 3000") || len(card.Adaptations) != 0 {
			t.Errorf("status %s, failed phase %+v, adaptations %v", card.Status, p, card.Adaptations)
		}
	})
}
