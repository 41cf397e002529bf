package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/store"
)

func (e *env) freshWebhookFor(o *org) string {
	ep := store.WebhookEndpoint{URL: "https://hooks.example.com/" + o.id[:8], EventTypes: store.EventTypes}
	if err := e.store.CreateWebhookEndpoint(context.Background(), store.Actor{OrgID: o.id, Label: "test"}, &ep); err != nil {
		e.t.Fatal(err)
	}
	return ep.ID
}

func (e *env) freshDeliveryFor(o *org) string {
	d, err := e.store.PingWebhookEndpoint(context.Background(), store.Actor{OrgID: o.id, Label: "test"}, e.freshWebhookFor(o))
	if err != nil {
		e.t.Fatal(err)
	}
	return d.ID
}

// TestWebhookEndpointLifecycle: the secret is shown at creation and
// rotation only; URLs that are not public https are refused; a ping and a
// redelivery are listed with the same event id.
func TestWebhookEndpointLifecycle(t *testing.T) {
	e := newEnv(t)
	admin := e.a.tokens[store.RoleAdmin]
	for _, bad := range []map[string]any{
		{"url": "http://hooks.example.com/x", "event_types": []string{"submission.graded"}},
		{"url": "https://10.0.0.1/x", "event_types": []string{"submission.graded"}},
		{"url": "https://169.254.169.254/latest", "event_types": []string{"submission.graded"}},
		{"url": "https://localhost/x", "event_types": []string{"submission.graded"}},
		{"url": "https://hooks.example.com/x", "event_types": []string{"submission.exploded"}},
		{"url": "https://hooks.example.com/x", "event_types": []string{}},
	} {
		errorBody(t, expectStatus(t, e.do("POST", "/api/v1/webhooks", admin, bad), 400))
	}
	var created struct {
		store.WebhookEndpoint
		Secret string `json:"secret"`
	}
	e.mustJSON(e.do("POST", "/api/v1/webhooks", admin, map[string]any{
		"url": "https://hooks.example.com/assay", "event_types": []string{"submission.graded", "review.decided"},
	}), 201, &created)
	if !strings.HasPrefix(created.Secret, "whsec_") || !created.Enabled {
		t.Fatalf("created %+v", created)
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	e.mustJSON(e.do("GET", "/api/v1/webhooks", admin, nil), 200, &page)
	if len(page.Items) != 1 || page.Items[0]["secret"] != nil {
		t.Fatalf("list shows %v", page.Items)
	}
	var rotated struct {
		Secret                  string `json:"secret"`
		PreviousSecretExpiresAt string `json:"previous_secret_expires_at"`
	}
	e.mustJSON(e.do("PATCH", "/api/v1/webhooks/"+created.ID, admin, map[string]any{"rotate_secret": true}), 200, &rotated)
	if rotated.Secret == created.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.PreviousSecretExpiresAt == "" {
		t.Fatalf("rotation %+v", rotated)
	}
	errorBody(t, expectStatus(t, e.do("PATCH", "/api/v1/webhooks/"+created.ID, admin, map[string]any{"url": "https://192.168.0.1/"}), 400))

	var ping store.WebhookDelivery
	e.mustJSON(e.do("POST", "/api/v1/webhooks/"+created.ID+"/test", admin, nil), 202, &ping)
	var again store.WebhookDelivery
	e.mustJSON(e.do("POST", "/api/v1/deliveries/"+ping.ID+"/redeliver", admin, nil), 202, &again)
	if again.EventID != ping.EventID || again.ID == ping.ID || ping.EventType != store.EventPing {
		t.Fatalf("redelivery %+v of %+v", again, ping)
	}
	var ds struct {
		Items []store.WebhookDelivery `json:"items"`
	}
	e.mustJSON(e.do("GET", "/api/v1/webhooks/"+created.ID+"/deliveries", admin, nil), 200, &ds)
	if len(ds.Items) != 2 || ds.Items[0].ID != again.ID || ds.Items[0].State != store.DeliveryPending {
		t.Fatalf("deliveries %+v", ds.Items)
	}
	expectStatus(t, e.do("DELETE", "/api/v1/webhooks/"+created.ID, admin, nil), 204).Body.Close()
	errorBody(t, expectStatus(t, e.do("GET", "/api/v1/webhooks/"+created.ID+"/deliveries", admin, nil), 404))
}

// expectStatus asserts a response's status and returns it for its body.
func expectStatus(t *testing.T, resp *http.Response, status int) *http.Response {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, errorOrBody(resp))
	}
	return resp
}
