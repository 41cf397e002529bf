package webhooks_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/outbox"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/assayhq/assay/internal/webhooks"
	"github.com/hibiken/asynq"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// fastSchedule stands in for the three-day schedule: same shape, milliseconds.
var fastSchedule = []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond,
	300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond,
	300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}

// harness is a platform database, a Redis database, the outbox relay and
// the sender; workers are started and stopped by the test.
type harness struct {
	t      testing.TB
	ctx    context.Context
	store  *store.Store
	org    string
	actor  store.Actor
	redis  asynq.RedisConnOpt
	sender *webhooks.Sender
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	db := storetest.New(t)
	st, o := db.Store, db.Org
	url, _ := testenv.NewRedisDB(t)
	ropt, err := asynq.ParseRedisURI(url)
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClient(ropt)
	t.Cleanup(func() { client.Close() })
	relay := &outbox.Relay{Store: st, Client: client, Interval: 10 * time.Millisecond}
	done := make(chan struct{})
	go func() { relay.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	h := &harness{t: t, ctx: ctx, store: st, org: o.ID, actor: store.Actor{OrgID: o.ID, Label: "test"}, redis: ropt}
	h.sender = &webhooks.Sender{
		Store: st, BaseURL: "https://assay.example", AllowLoopback: true, Schedule: fastSchedule,
		Client: webhooks.NewClient(webhooks.ClientConfig{AllowLoopback: true, Timeout: 10 * time.Second}),
	}
	return h
}

// startWorker runs an asynq server on the webhooks queue, as the worker
// process does, and returns its stop function (a graceful shutdown that
// gives running tasks shutdownAfter, then puts them back in the queue).
func (h *harness) startWorker(concurrency int, shutdownAfter time.Duration) func() {
	srv := asynq.NewServer(h.redis, asynq.Config{
		Concurrency:              concurrency,
		Queues:                   map[string]int{tasks.QueueWebhooks: 1},
		RetryDelayFunc:           func(n int, err error, _ *asynq.Task) time.Duration { return h.sender.RetryDelay(n, err) },
		DelayedTaskCheckInterval: 20 * time.Millisecond,
		TaskCheckInterval:        10 * time.Millisecond,
		ShutdownTimeout:          shutdownAfter,
		Logger:                   quietLogger{},
		LogLevel:                 asynq.FatalLevel,
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.DeliverWebhook, h.sender.HandleTask)
	if err := srv.Start(mux); err != nil {
		h.t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(srv.Shutdown) }
	h.t.Cleanup(stop)
	return stop
}

// endpoint registers a webhook endpoint for every event type and returns it
// with its secret.
func (h *harness) endpoint(url string) *store.WebhookEndpoint {
	h.t.Helper()
	ep := &store.WebhookEndpoint{URL: url, EventTypes: store.EventTypes}
	if err := h.store.CreateWebhookEndpoint(h.ctx, h.actor, ep); err != nil {
		h.t.Fatal(err)
	}
	return ep
}

func (h *harness) emit(eventType string, data any) string {
	h.t.Helper()
	id, err := h.store.EmitEvent(h.ctx, h.org, eventType, data)
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// deliveries lists an endpoint's deliveries with their attempts.
func (h *harness) deliveries(endpointID string) []store.WebhookDelivery {
	h.t.Helper()
	ds, _, err := h.store.WebhookDeliveries(h.ctx, h.org, endpointID, store.Page{Limit: 200})
	if err != nil {
		h.t.Fatal(err)
	}
	return ds
}

// received is one request the receiver got.
type received struct {
	ID     string
	At     time.Time
	Body   []byte
	Header http.Header
	Msg    struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
}

// receiver is a real HTTP server on loopback playing an ATS. answer picks
// the status of the n-th request (from 1); nil answers 200.
type receiver struct {
	t      testing.TB
	ln     net.Listener
	srv    *http.Server
	URL    string
	answer func(n int, id string) int
	// hold, when set, is called before answering (to hang a request).
	hold func(n int)
	mu   sync.Mutex
	got  []received
	// arrived is signalled after each request.
	arrived chan struct{}
}

func newReceiver(t testing.TB) *receiver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, URL: "http://" + ln.Addr().String() + "/hooks", arrived: make(chan struct{}, 1<<16)}
	r.serve(ln)
	t.Cleanup(r.down)
	return r
}

func (r *receiver) serve(ln net.Listener) {
	r.ln = ln
	r.srv = &http.Server{Handler: http.HandlerFunc(r.handle)}
	go r.srv.Serve(ln)
}

// down stops answering: the port refuses connections.
func (r *receiver) down() { r.srv.Close() }

// up answers again on the same address.
func (r *receiver) up() {
	addr := strings.TrimSuffix(strings.TrimPrefix(r.URL, "http://"), "/hooks")
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	r.serve(ln)
}

func (r *receiver) handle(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	rec := received{ID: req.Header.Get("webhook-id"), At: time.Now(), Body: body, Header: req.Header.Clone()}
	_ = json.Unmarshal(body, &rec.Msg)
	r.mu.Lock()
	r.got = append(r.got, rec)
	n := len(r.got)
	r.mu.Unlock()
	if r.hold != nil {
		r.hold(n)
	}
	status := http.StatusOK
	if r.answer != nil {
		status = r.answer(n, rec.ID)
	}
	w.WriteHeader(status)
	io.WriteString(w, `{"received":"`+rec.ID+`"}`)
	r.arrived <- struct{}{}
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// uniqueIDs is what a receiver deduplicating on webhook-id keeps.
func (r *receiver) uniqueIDs() map[string]int {
	out := map[string]int{}
	for _, g := range r.requests() {
		out[g.ID]++
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// verify checks a request's signature with the Standard Webhooks library.
func verify(t testing.TB, secret string, g received) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(g.Body, g.Header); err != nil {
		t.Fatalf("signature of %s does not verify: %v (header %q)", g.ID, err, g.Header.Get("webhook-signature"))
	}
}

type quietLogger struct{}

func (quietLogger) Debug(...any) {}
func (quietLogger) Info(...any)  {}
func (quietLogger) Warn(...any)  {}
func (quietLogger) Error(...any) {}
func (quietLogger) Fatal(...any) {}
