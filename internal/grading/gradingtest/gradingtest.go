// Package gradingtest grades reference solutions through the real pipeline
// (sandbox, grading PostgreSQL, git fetch) for the suites' tests, so that a
// take-home's tests need no more than this package and grading (the suite
// packages themselves import grading alone).
package gradingtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/run"
	"github.com/assayhq/assay/internal/gradingdb"
	"github.com/assayhq/assay/internal/sandbox"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/assayhq/assay/internal/warmcache"
)

// Env is the sandbox manager and grading server shared by a test binary.
type Env struct {
	Sandbox *sandbox.Manager
	DB      *gradingdb.Server
}

var (
	envOnce sync.Once
	env     *Env
	envErr  error
)

// Mode is the sandbox mode of the tests: bwrap unless ASSAY_TEST_SANDBOX
// says unsafe-local (a machine that cannot sandbox).
func Mode() string {
	if m := os.Getenv("ASSAY_TEST_SANDBOX"); m != "" {
		return m
	}
	return sandbox.ModeBwrap
}

// Shared returns the process-wide Env, created on first use.
func Shared() (*Env, error) {
	envOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		dir := stateDir()
		m, err := sandbox.New(sandbox.Config{Mode: Mode(), StateDir: dir})
		if err != nil {
			envErr = fmt.Errorf("sandbox: %w", err)
			return
		}
		db, err := gradingdb.Open(ctx, testenv.AdminURL())
		if err != nil {
			envErr = fmt.Errorf("grading database: %w", err)
			return
		}
		env = &Env{Sandbox: m, DB: db}
	})
	return env, envErr
}

// stateDir is where the tests' sandbox and warm cache live, shared by test binaries.
func stateDir() string { return filepath.Join(os.TempDir(), "assay-gradingtest") }

// Warm gives the shared sandbox the warm Go cache workers keep (package warmcache),
// made once under the test state directory (the keeper logs it) and reused by later
// runs while fresh, so Go solutions build as they do on a worker.
func (e *Env) Warm(ctx context.Context) error {
	k := &warmcache.Keeper{Dir: filepath.Join(stateDir(), "warm"), Sandbox: e.Sandbox}
	_, err := k.Ensure(ctx)
	return err
}

// Options of one grading run in a test.
type Options struct {
	Seed         int64
	ReadyTimeout time.Duration
	Mode         string // grading.ModeAdaptive (default) or grading.ModeStrict
}

// Grade grades the git repository at path with suite.
func (e *Env) Grade(ctx context.Context, suite *grading.Suite, repo string, o Options) (*grading.Scorecard, error) {
	return run.Run(ctx, run.Options{
		Suite: suite, RepoURL: repo, Sandbox: e.Sandbox, DB: e.DB,
		Fetch: gitfetch.Options{AllowLocal: true}, Seed: o.Seed, ReadyTimeout: o.ReadyTimeout, Mode: o.Mode,
	})
}

// Edit changes a copied solution: Old replaced by New in File (Old must be
// there), or File removed when Remove is set.
type Edit struct {
	File, Old, New string
	Remove         bool
}

// Repo copies the solution directory src into dest (a fresh test directory),
// applies the edits and commits the result, so that it can be fetched as a
// repository.
func Repo(src, dest string, edits ...Edit) error {
	if err := os.CopyFS(dest, os.DirFS(src)); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	for _, ed := range edits {
		path := filepath.Join(dest, filepath.FromSlash(ed.File))
		if ed.Remove {
			if err := os.Remove(path); err != nil {
				return err
			}
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !strings.Contains(string(b), ed.Old) {
			return fmt.Errorf("%s: %q not found", ed.File, ed.Old)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(b), ed.Old, ed.New, 1)), 0o644); err != nil {
			return err
		}
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=Assay Test", "-c", "user.email=test@assay.invalid", "commit", "-q", "-m", "solution"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dest
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v: %s", args[0], err, out)
		}
	}
	return nil
}
