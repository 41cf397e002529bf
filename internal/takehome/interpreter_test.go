package takehome

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
)

// fakeEngine starts a service in this process: enough to drive the
// interpreter's bookkeeping (captures, restarts) without a sandbox.
type fakeEngine struct {
	handler    http.Handler
	restartErr error
}

func (e *fakeEngine) Start(ctx context.Context, o grading.StartOptions) (grading.Backend, error) {
	srv := httptest.NewServer(e.handler)
	return &fakeBackend{srv: srv, e: e}, nil
}

type fakeBackend struct {
	srv *httptest.Server
	e   *fakeEngine
}

func (b *fakeBackend) Port() int { return b.srv.Listener.Addr().(*net.TCPAddr).Port }
func (b *fakeBackend) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}
func (b *fakeBackend) Restart(context.Context, grading.RestartOptions) error { return b.e.restartErr }
func (b *fakeBackend) Stop(context.Context) error                            { b.srv.Close(); return nil }
func (b *fakeBackend) Statements() int64                                     { return 0 }
func (b *fakeBackend) DirectURL() string                                     { return "" }
func (b *fakeBackend) ForeignStores() []string                               { return nil }
func (b *fakeBackend) Exec(context.Context, string, time.Duration) (*grading.ExecResult, error) {
	return nil, errors.New("no box")
}
func (b *fakeBackend) ReadFile(string, int64) ([]byte, error) { return nil, errors.New("no checkout") }

// gradeFake grades the bundle in yaml against handler.
func gradeFake(t *testing.T, yaml string, e *fakeEngine) *grading.Scorecard {
	t.Helper()
	b, err := Load(bundleFS(yaml))
	if err != nil {
		t.Fatal(err)
	}
	card := &grading.Scorecard{Seed: 1, Metrics: map[string]float64{}}
	g := grading.NewGrader(context.Background(), b.Suite(), e, card)
	if err := b.Suite().Grade(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	g.Finish("not run: the suite did not reach this check")
	return card
}

const captureYAML = `slug: demo
title: Demo
version: "1"
ready_path: /items
checks:
  - id: items.create
    title: Create
    category: endpoints
    points: 30
    steps:
      - http: {method: POST, path: /items, status: 201}
        capture: {id: body.id}
  - id: items.get
    title: Get
    category: endpoints
    points: 30
    steps:
      - http: {method: GET, path: "/items/${captures.id}", status: 200}
  - id: restart.kept
    title: Kept after a restart
    category: migrations
    points: 20
    steps:
      - restart: {release: false}
      - http: {method: GET, path: /items, status: 200}
  - id: items.list
    title: List
    category: endpoints
    points: 10
    steps:
      - http: {method: GET, path: /items, status: 200}
`

// TestCaptureNeverSet: a check reading a capture its failed setter never
// set is not run, naming that check, rather than failing for it.
func TestCaptureNeverSet(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) })
	card := gradeFake(t, captureYAML, &fakeEngine{handler: mux})
	create, get, list := card.Check("items.create"), card.Check("items.get"), card.Check("items.list")
	if create.Status != grading.CheckFailed || !strings.Contains(create.Message, "POST /items: expected status 201; got 500") {
		t.Errorf("items.create: %s %q", create.Status, create.Message)
	}
	if get.Status != grading.CheckNotRun || get.Message != "not run: it needs captures.id, which items.create did not set" {
		t.Errorf("items.get: %s %q", get.Status, get.Message)
	}
	if list.Status != grading.CheckPassed {
		t.Errorf("items.list: %s %q", list.Status, list.Message)
	}
}

// TestRestartNotBack: a service that does not come back fails the restart's
// check with the start error, and every later check is not run.
func TestRestartNotBack(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(201)
		w.Write([]byte(`{"id": 7}`))
	})
	mux.HandleFunc("GET /items/7", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"id": 7}`)) })
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) })
	e := &fakeEngine{handler: mux, restartErr: &grading.StartError{Phase: "web", Message: "web ended before it was ready"}}
	card := gradeFake(t, captureYAML, e)
	if c := card.Check("items.get"); c.Status != grading.CheckPassed {
		t.Errorf("items.get with the captured id: %s %q", c.Status, c.Message)
	}
	if c := card.Check("restart.kept"); c.Status != grading.CheckFailed || !strings.Contains(c.Message, "did not come back after a restart: web: web ended before it was ready") {
		t.Errorf("restart.kept: %s %q", c.Status, c.Message)
	}
	if c := card.Check("items.list"); c.Status != grading.CheckNotRun || !strings.Contains(c.Message, "did not come back after a restart") {
		t.Errorf("items.list: %s %q", c.Status, c.Message)
	}
}
