package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestEndpointFailingFiveDaysIsDisabled: failures start a streak, a
// success ends it, and an endpoint failing everything for five days is
// disabled with a reason its admins see, and an audit entry.
func TestEndpointFailingFiveDaysIsDisabled(t *testing.T) {
	ctx := context.Background()
	st, a := newTestStore(t)
	ep := WebhookEndpoint{URL: "https://hooks.example.com/", EventTypes: []string{EventSubmissionGraded}}
	if err := st.CreateWebhookEndpoint(ctx, a, &ep); err != nil {
		t.Fatal(err)
	}
	attempt := func(at time.Time, ok bool) {
		t.Helper()
		d, err := st.PingWebhookEndpoint(ctx, a, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		res := DeliveryAttempt{At: at, OK: ok, StatusCode: 503, Error: "HTTP 503"}
		if ok {
			res.StatusCode, res.Error = 200, ""
		}
		if err := st.RecordDeliveryAttempt(ctx, d.ID, res, false); err != nil {
			t.Fatal(err)
		}
	}
	get := func() *WebhookEndpoint {
		t.Helper()
		var e WebhookEndpoint
		if err := st.db.Where("id = ?", ep.ID).Take(&e).Error; err != nil {
			t.Fatal(err)
		}
		return &e
	}
	now := time.Now().UTC()
	attempt(now.Add(-6*24*time.Hour), false)
	attempt(now.Add(-3*24*time.Hour), true) // a success ends the streak
	if get().FailingSince != nil {
		t.Fatal("a success left the failing streak")
	}
	attempt(now.Add(-4*24*time.Hour-time.Hour), false)
	attempt(now, false)
	if e := get(); !e.Enabled {
		t.Fatalf("disabled after four days: %s", e.DisabledReason)
	}
	attempt(now.Add(24*time.Hour), false) // a day later: five days and an hour of failures
	e := get()
	if e.Enabled || !strings.Contains(e.DisabledReason, "every delivery failed since") || !strings.Contains(e.DisabledReason, "HTTP 503") {
		t.Fatalf("enabled %v, reason %q", e.Enabled, e.DisabledReason)
	}
	log, _ := st.AuditLog(ctx, a.OrgID, 10)
	if log[0].Action != "webhook.disabled" {
		t.Fatalf("last audit entry %s", log[0].Action)
	}
	on := true
	if _, err := st.UpdateWebhookEndpoint(ctx, a, ep.ID, WebhookEndpointChanges{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	if e := get(); !e.Enabled || e.DisabledReason != "" || e.FailingSince != nil {
		t.Fatalf("re-enabled endpoint %+v", e)
	}
}

// TestLostDeliveryRequeued: a pending delivery whose task the queue lost
// (its outbox row sent a day ago, nothing since) gets a new outbox row,
// once.
func TestLostDeliveryRequeued(t *testing.T) {
	ctx := context.Background()
	st, a := newTestStore(t)
	ep := WebhookEndpoint{URL: "https://hooks.example.com/", EventTypes: []string{EventSubmissionGraded}}
	if err := st.CreateWebhookEndpoint(ctx, a, &ep); err != nil {
		t.Fatal(err)
	}
	d, err := st.PingWebhookEndpoint(ctx, a, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	st.db.Exec(`UPDATE outbox SET sent_at = now()`)
	if n, err := st.RequeueStaleDeliveries(ctx, 24*time.Hour); err != nil || n != 0 {
		t.Fatalf("fresh delivery requeued: %d %v", n, err)
	}
	st.db.Exec(`UPDATE webhook_deliveries SET updated_at = now() - interval '25 hours'`)
	if n, err := st.RequeueStaleDeliveries(ctx, 24*time.Hour); err != nil || n != 1 {
		t.Fatalf("requeued %d (%v), want 1", n, err)
	}
	var pending int64
	st.db.Raw(`SELECT count(*) FROM outbox WHERE task_id = ? AND sent_at IS NULL`, d.ID).Scan(&pending)
	st.db.Exec(`UPDATE webhook_deliveries SET updated_at = now() - interval '25 hours'`)
	if n, _ := st.RequeueStaleDeliveries(ctx, 24*time.Hour); pending != 1 || n != 0 {
		t.Fatalf("pending rows %d, second sweep requeued %d", pending, n)
	}
}
