package pipeline_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/gitfetch/gittest"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
	"github.com/assayhq/assay/internal/outbox"
	"github.com/assayhq/assay/internal/pipeline"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/assayhq/assay/internal/worker"
	"github.com/hibiken/asynq"
)

// helloSuite is a take-home of one check whose service needs no build: it
// lets the pipeline's own behaviour (claims, crashes, restarts, load) be
// tested through the real sandbox in seconds per submission.
var helloSuite = &grading.Suite{
	Slug: "hello", Version: "1", Title: "Hello", ReadyPath: "/",
	Checks: append(grading.SetupChecks(),
		grading.CheckDef{ID: "hello.answers", Title: "GET / answers 200", Category: grading.Endpoints, Points: 90, Visibility: grading.Visible}),
	Grade: func(ctx context.Context, g *grading.Grader) error {
		s, err := g.Start(ctx, grading.StartOptions{})
		if err != nil {
			return err
		}
		g.Check("hello.answers", func(c *grading.C) {
			r, err := c.Do(s, "GET", "/", nil)
			if err != nil || r.Status != 200 {
				c.Failf("GET / did not answer 200")
			}
		})
		return nil
	},
}

// helloFiles is a service that answers on $PORT; build, when set, is its
// Procfile build line (for a build that takes a while).
func helloFiles(build string) map[string]string {
	procfile := "web: exec python3 -m http.server $PORT --bind 127.0.0.1\n"
	if build != "" {
		procfile = "build: " + build + "\n" + procfile
	}
	return map[string]string{"Procfile": procfile, "index.html": "hello\n"}
}

// serveRepo makes a repository of files and serves it over git's smart HTTP
// on loopback at http://127.0.0.1:PORT/acme/NAME.
func serveRepo(t testing.TB, name string, files map[string]string) (url, commit string) {
	t.Helper()
	root := t.TempDir()
	dir, commit := gittest.MakeRepo(t, files)
	dest := filepath.Join(root, "acme", name)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir, dest); err != nil {
		t.Fatal(err)
	}
	return newGitServer(t, root) + "/acme/" + name, commit
}

// newGitServer serves every repository under root over git's smart HTTP on
// loopback until the test ends.
func newGitServer(t testing.TB, root string) string {
	srv := httptest.NewServer(gittest.Handler(t, root))
	t.Cleanup(srv.Close)
	return srv.URL
}

// harness is a platform database, a Redis index and a grading environment.
type harness struct {
	t          testing.TB
	st         *store.Store
	dbURL      string
	redisDB    int
	actor      store.Actor
	assessment map[string]string // takehome -> assessment id
	n          int
	warm       string // the warm cache worker processes use ("" for none)
	// The outbox relay's poll interval and sweeper age: short, so tests do not
	// wait; zero means the relay's defaults, as in production (the benchmark).
	relayInterval, staleAfter time.Duration
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	db := storetest.New(t)
	h := &harness{t: t, st: db.Store, dbURL: db.URL, actor: db.Actor, assessment: map[string]string{},
		relayInterval: 50 * time.Millisecond, staleAfter: 2 * time.Second}
	_, h.redisDB = testenv.NewRedisDB(t)
	return h
}

func (h *harness) assessmentFor(suite *grading.Suite) string {
	if id, ok := h.assessment[suite.Slug]; ok {
		return id
	}
	a := store.Assessment{Takehome: suite.Slug, SuiteVersion: suite.Version, Title: suite.Title,
		HoursAllowed: 24, MaxSubmissions: 5, CandidateView: store.ViewVisibleChecks}
	if err := h.st.CreateAssessment(context.Background(), h.actor, &a); err != nil {
		h.t.Fatal(err)
	}
	h.assessment[suite.Slug] = a.ID
	return a.ID
}

// submit invites a new candidate and submits repo for them.
func (h *harness) submit(suite *grading.Suite, repo string) string {
	h.t.Helper()
	ctx := context.Background()
	h.n++
	token, err := h.st.CreateInvitation(ctx, h.actor, &store.Invitation{AssessmentID: h.assessmentFor(suite),
		CandidateName: "Candidate", CandidateEmail: fmt.Sprintf("c%d@example.com", h.n)})
	if err != nil {
		h.t.Fatal(err)
	}
	sub, err := h.st.Submit(ctx, token, repo, "")
	if err != nil {
		h.t.Fatal(err)
	}
	return sub.ID
}

func (h *harness) pipeline(owner string, lease time.Duration) *pipeline.Pipeline {
	env, err := gradingtest.Shared()
	if err != nil {
		h.t.Fatal(err)
	}
	return &pipeline.Pipeline{Store: h.st, Suites: map[string]*grading.Suite{helloSuite.Slug: helloSuite},
		Sandbox: env.Sandbox, DB: env.DB, Fetch: gitfetch.Options{AllowLoopbackHTTP: true}, Owner: owner, Lease: lease}
}

// runWorker runs an asynq worker and an outbox relay against redisAddr
// until the returned stop is called.
func (h *harness) runWorker(p *pipeline.Pipeline, redisAddr string, concurrency int) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	opt := asynq.RedisClientOpt{Addr: redisAddr, DB: h.redisDB, DialTimeout: time.Second}
	client := asynq.NewClient(opt)
	relay := &outbox.Relay{Store: h.st, Client: client, Interval: h.relayInterval, StaleAfter: h.staleAfter}
	w := worker.New(opt, concurrency)
	w.HandleGrading(p)
	engine := &pipeline.BundleEngine{Sandbox: p.Sandbox, DB: p.DB, Fetch: p.Fetch}
	w.HandleTakehomeChecks(&pipeline.TakehomeChecker{Store: h.st, Grade: engine.GradeFunc})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); relay.Run(ctx) }()
	go func() { defer wg.Done(); _ = w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			client.Close()
		})
	}
	h.t.Cleanup(stop)
	return stop
}

// waitFinished waits until every submission has a final status and returns them.
func (h *harness) waitFinished(ids []string, timeout time.Duration) map[string]store.Submission {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		subs := h.submissions(ids)
		done := 0
		out := map[string]store.Submission{}
		for _, s := range subs {
			out[s.ID] = s
			if store.Finished(s.Status) {
				done++
			}
		}
		if done == len(ids) {
			return out
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%d of %d submissions finished within %s: %+v", done, len(ids), timeout, out)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (h *harness) submissions(ids []string) []store.Submission {
	var out []store.Submission
	for _, id := range ids {
		d, err := h.st.Submission(context.Background(), h.actor.OrgID, id)
		if err != nil {
			continue // the database may be restarting
		}
		out = append(out, d.Submission)
	}
	return out
}

// gradeRuns is how many times the pipeline claimed a submission.
func (h *harness) gradeRuns(id string) int {
	var n int
	if err := h.st.SQL().QueryRow("SELECT grade_runs FROM submissions WHERE id = $1", id).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}
