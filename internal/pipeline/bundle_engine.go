package pipeline

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/run"
	"github.com/assayhq/assay/internal/gradingdb"
	"github.com/assayhq/assay/internal/sandbox"
	"github.com/assayhq/assay/internal/takehome"
)

// BundleEngine grades the solutions of a take-home bundle (its reference and
// flawed variants) through the engine, as a submission is graded: the
// worker's take-home check and `assay takehome check` both use it.
type BundleEngine struct {
	Sandbox *sandbox.Manager
	DB      *gradingdb.Server
	// Fetch is the policy for a solution in a repository (the worker's, so
	// a bundle's URL is fetched like a candidate's). A solution inside the
	// bundle is always graded from a local copy.
	Fetch gitfetch.Options
	// OnPhase, when set, is told each phase of each solution's run.
	OnPhase func(solution, phase string)
}

// GradeFunc grades one solution of b: the bundle's phase limits apply.
func (e *BundleEngine) GradeFunc(b *takehome.Bundle) takehome.GradeFunc {
	return func(ctx context.Context, s *grading.Suite, src takehome.Source, bundleFS fs.FS) (*grading.Scorecard, error) {
		o := BundleRunOptions(b)
		o.Suite, o.Sandbox, o.DB, o.Fetch = s, e.Sandbox, e.DB, e.Fetch
		if e.OnPhase != nil {
			o.OnPhase = func(phase string) { e.OnPhase(src.String(), phase) }
		}
		if src.Repo != "" {
			o.RepoURL, o.Ref = src.Repo, src.Ref
			return run.Run(ctx, o)
		}
		dir, err := solutionRepo(bundleFS, src)
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		// The copy is ours, made from the bundle: a local path is allowed for
		// it alone.
		o.RepoURL, o.Fetch = dir, gitfetch.Options{AllowLocal: true}
		return run.Run(ctx, o)
	}
}

// BundleRunOptions are the engine's options a bundle's limits set: the build
// and release wall clocks and how long web has to listen.
func BundleRunOptions(b *takehome.Bundle) run.Options {
	o := run.Options{Limits: map[string]sandbox.Limits{}, ReadyTimeout: b.Limits.Ready}
	for phase, wall := range map[string]time.Duration{"build": b.Limits.Build, "release": b.Limits.Release} {
		if wall > 0 {
			l := sandbox.DefaultLimits(phase)
			l.Wall = wall
			o.Limits[phase] = l
		}
	}
	return o
}

// solutionRepo copies a bundle's solution folder into a fresh git
// repository of one commit, so the engine fetches it like any other.
func solutionRepo(bundleFS fs.FS, src takehome.Source) (string, error) {
	dir := src.String()
	tmp, err := os.MkdirTemp("", "assay-solution-")
	if err != nil {
		return "", fmt.Errorf("solution %s: %w", dir, err)
	}
	if err := src.CopyTo(bundleFS, tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	for _, args := range [][]string{
		{"init", "--quiet", "--initial-branch=main"},
		{"add", "--all"},
		{"-c", "user.name=Assay", "-c", "user.email=assay@localhost", "-c", "commit.gpgsign=false",
			"commit", "--quiet", "--allow-empty", "--message", "solution " + dir},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = tmp
		// The machine's and the user's git configuration play no part.
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			os.RemoveAll(tmp)
			return "", fmt.Errorf("solution %s: git %s: %v: %s", dir, strings.Join(args, " "), err, out)
		}
	}
	return tmp, nil
}
