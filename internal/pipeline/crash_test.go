package pipeline_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading/gradingtest"
	"github.com/assayhq/assay/internal/sandbox"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/testenv"
)

// Environment of a worker process started by TestCrashedWorkerIsTakenOver.
const (
	envWorker  = "ASSAY_PIPELINE_TEST_WORKER"
	envDB      = "ASSAY_PIPELINE_TEST_DB"
	envRedisDB = "ASSAY_PIPELINE_TEST_REDIS_DB"
	envWarm    = "ASSAY_PIPELINE_TEST_WARM" // a warm cache, so phases mount the overlay
)

// TestWorkerProcess is not a test: it is the worker process that the crash
// test starts (this test binary, run again) and kills.
func TestWorkerProcess(t *testing.T) {
	if os.Getenv(envWorker) == "" {
		return
	}
	redisDB, _ := strconv.Atoi(os.Getenv(envRedisDB))
	h := &harness{t: t, dbURL: os.Getenv(envDB), redisDB: redisDB, relayInterval: 50 * time.Millisecond, staleAfter: 2 * time.Second}
	st, err := store.Open(context.Background(), h.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	h.st = st
	env, err := gradingtest.Shared()
	if err != nil {
		t.Fatal(err)
	}
	env.Sandbox.SetWarmCache(os.Getenv(envWarm))
	h.runWorker(h.pipeline(os.Getenv(envWorker), 3*time.Second), testenv.RedisAddr(), 1)
	select {} // until killed
}

func (h *harness) startWorkerProcess(owner string) *exec.Cmd {
	h.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWorkerProcess$", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), envWorker+"="+owner, envDB+"="+h.dbURL, envRedisDB+"="+strconv.Itoa(h.redisDB), envWarm+"="+h.warm)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// TestCrashedWorkerIsTakenOver: a worker killed with SIGKILL during the
// build leaves its submission, sandbox and database behind; a new worker
// finishes the submission with one scorecard and nothing left over.
func TestCrashedWorkerIsTakenOver(t *testing.T) {
	h := newHarness(t)
	h.warm = warmCache(t)
	repo, _ := serveRepo(t, "slow", helloFiles("sleep 6"))
	id := h.submit(helloSuite, repo)
	label := strings.ReplaceAll(id, "-", "")[:12]

	first := h.startWorkerProcess("first")
	h.waitStatus(id, store.StatusBuilding, 2*time.Minute)
	upper := filepath.Join(os.TempDir(), "assay-gradingtest", "sandbox", "grade-"+label+"r1", "gocache", "upper")
	if _, err := os.Stat(upper); err != nil {
		t.Errorf("the build does not run over the warm cache: %v", err)
	}
	if err := first.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	first.Wait()

	h.startWorkerProcess("second")
	s := h.waitFinished([]string{id}, 3*time.Minute)[id]
	if s.Status != store.StatusGraded || s.Score == nil || *s.Score != 100 {
		t.Fatalf("after the crash: %s %v %s", s.Status, s.Score, s.Error)
	}
	if n := h.gradeRuns(id); n != 2 {
		t.Errorf("claimed %d times, want 2 (the crashed run and the one that finished)", n)
	}
	var cards int
	h.st.SQL().QueryRow("SELECT count(*) FROM scorecards WHERE submission_id = $1", id).Scan(&cards)
	if cards != 1 {
		t.Errorf("%d scorecards", cards)
	}
	// Nothing of either run is left: databases, sandbox workspace, network
	// namespace, cgroups, the warm cache's overlay mount.
	var dbs int
	h.st.SQL().QueryRow("SELECT count(*) FROM pg_database WHERE datname LIKE 'assay_sub_' || $1 || '%'", label).Scan(&dbs)
	if dbs != 0 {
		t.Errorf("%d databases of the submission left", dbs)
	}
	for _, run := range []string{"r1", "r2"} {
		box := "assay-grade-" + label + run
		for _, pattern := range []string{
			filepath.Join(os.TempDir(), "assay-gradingtest", "*", "grade-"+label+run),
			"/run/netns/" + box,
			"/sys/fs/cgroup/*/" + box + "*",
		} {
			if m, _ := filepath.Glob(pattern); len(m) > 0 {
				t.Errorf("left behind: %v", m)
			}
		}
		for _, table := range []string{"/proc/self/mountinfo", "/proc/1/mountinfo"} {
			if data, _ := os.ReadFile(table); strings.Contains(string(data), "grade-"+label+run) {
				t.Errorf("a mount of box grade-%s%s is left in %s", label, run, table)
			}
		}
	}
}

// warmCache makes a small warm cache (as package warmcache leaves one), so that
// every phase of the worker processes runs over the build cache overlay.
func warmCache(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil { // the sandbox user reaches it
			t.Fatal(err)
		}
	}
	for _, sub := range []string{sandbox.WarmGoModDir, filepath.Join(sandbox.WarmGoBuildDir, "ab")} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, sandbox.WarmGoBuildDir, "ab", "entry-d"), []byte("warm"), 0o444); err != nil {
		t.Fatal(err)
	}
	return dir
}
