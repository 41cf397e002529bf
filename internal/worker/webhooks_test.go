package worker_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/outbox"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/assayhq/assay/internal/webhooks"
	"github.com/assayhq/assay/internal/worker"
	"github.com/hibiken/asynq"
)

// TestWebhookServerDelivers: the worker's own webhook server, as `assay
// worker` runs it, takes a delivery from the queue to a receiver.
func TestWebhookServerDelivers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storetest.New(t)
	st := db.Store
	got := make(chan string, 1)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("webhook-id")
	}))
	t.Cleanup(rcv.Close)
	ep := store.WebhookEndpoint{URL: rcv.URL, EventTypes: store.EventTypes}
	if err := st.CreateWebhookEndpoint(ctx, db.Actor, &ep); err != nil {
		t.Fatal(err)
	}
	redisURL, _ := testenv.NewRedisDB(t)
	ropt, _ := asynq.ParseRedisURI(redisURL)
	client := asynq.NewClient(ropt)
	t.Cleanup(func() { client.Close() })
	go (&outbox.Relay{Store: st, Client: client, Interval: 10 * time.Millisecond}).Run(ctx)
	sender := &webhooks.Sender{Store: st, AllowLoopback: true, Client: webhooks.NewClient(webhooks.ClientConfig{AllowLoopback: true})}
	done := make(chan error, 1)
	go func() { done <- worker.RunWebhookServer(ctx, ropt, sender) }()

	id, err := st.EmitEvent(ctx, db.Org.ID, store.EventReviewDecided, map[string]any{"decision": "advance"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case g := <-got:
		if g != id {
			t.Fatalf("received %s, want %s", g, id)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("nothing delivered")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
