package run_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
)

// startFailure grades a repository whose service never becomes ready and
// returns the web phase's message and the reason every check was not run.
func startFailure(t *testing.T, files map[string]string) (phase, notRun string) {
	t.Helper()
	s := suite(func(ctx context.Context, g *grading.Grader) error {
		_, err := g.Start(ctx, grading.StartOptions{})
		return err
	})
	card, err := env(t).Grade(context.Background(), s, repo(t, files), gradingtest.Options{ReadyTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if card.Status != grading.StatusStartFailed {
		t.Fatalf("status %s, phases %+v", card.Status, card.Phases)
	}
	for _, p := range card.Phases {
		if p.Name == "web" {
			phase = p.Message
		}
	}
	return phase, card.Check("only.check").Message
}

// A Node crash that prints an error object is explained by its cause, not
// by the object's last property (requireStack: []).
func TestRunCrashRootCause(t *testing.T) {
	phase, notRun := startFailure(t, map[string]string{"Procfile": `web: node -e "require('./dist/main.js')"` + "\n"})
	want := `node: ./dist/main.js does not exist: check that the build writes it and that the start command runs that file`
	if !strings.HasPrefix(phase, "web ended before it was ready: "+want) || !strings.Contains(notRun, want) || strings.Contains(phase, "requireStack") {
		t.Errorf("web phase %q, checks %q", phase, notRun)
	}
}

// A service that retries a refused login never listens: the refusal comes
// first, before the port it did not open.
func TestRunWaitingServiceRootCause(t *testing.T) {
	phase, notRun := startFailure(t, map[string]string{"Procfile": `web: echo 'error: password authentication failed for user "shop"'; exec sleep 60` + "\n"})
	want := `the database refused the login as "shop": connect with $DATABASE_URL`
	if !strings.HasPrefix(phase, want) || !strings.Contains(phase, "did not listen on $PORT") || !strings.Contains(notRun, want) {
		t.Errorf("web phase %q, checks %q", phase, notRun)
	}
}
