package webhookreceiver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/takehome"
)

// delivery is what the starter's script sent.
type delivery struct {
	id, ts, sig, body string
}

// sendEvent runs the starter's send-event.mjs against a server of the test's
// and returns what arrived.
func sendEvent(t *testing.T, secret string, args ...string) delivery {
	t.Helper()
	got := make(chan delivery, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), string(b)}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{"send-event.mjs", "--url", srv.URL + "/webhooks"}, args...)...)
	cmd.Dir = "starter"
	cmd.Env = append(os.Environ(), "WEBHOOK_SECRET="+secret)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node send-event.mjs: %v: %s", err, out)
	}
	return <-got
}

// The starter's script signs exactly as the grader does, so a candidate who
// tests with it is tested as the grader will test them.
func TestStarterScriptSignsAsTheGrader(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	verify := func(d delivery) bool {
		ts, err := strconv.ParseInt(d.ts, 10, 64)
		if err != nil {
			t.Fatalf("webhook-timestamp %q", d.ts)
		}
		want, err := takehome.StandardWebhookSignature(secret, d.id, ts, d.body)
		if err != nil {
			t.Fatal(err)
		}
		return d.sig == want
	}
	age := func(d delivery) int64 {
		ts, _ := strconv.ParseInt(d.ts, 10, 64)
		return time.Now().Unix() - ts
	}

	d := sendEvent(t, secret)
	if !verify(d) || d.id == "" || d.body == "" {
		t.Errorf("a plain send is not signed as the grader signs: %+v", d)
	}
	if a := age(d); a < -2 || a > 5 {
		t.Errorf("timestamp %s is %d s from now", d.ts, a)
	}
	if d := sendEvent(t, secret, "--id", "msg_again"); d.id != "msg_again" || !verify(d) {
		t.Errorf("--id: %+v", d)
	}
	if d := sendEvent(t, secret, "--age", "600"); !verify(d) || age(d) < 598 || age(d) > 605 {
		t.Errorf("--age 600: signed %v, %d s old", verify(d), age(d))
	}
	if d := sendEvent(t, secret, "--wrong-secret"); verify(d) {
		t.Errorf("--wrong-secret is signed with the right secret: %+v", d)
	}
}
