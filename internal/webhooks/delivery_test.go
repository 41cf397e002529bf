package webhooks_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/store"
)

func gradedData(sub string) store.SubmissionEventData {
	score, max := 87, 100
	return store.SubmissionEventData{
		SubmissionID: sub, Status: store.StatusGraded, Score: &score, MaxScore: &max,
		Categories: []store.EventCategory{{Name: "correctness", Score: 50, MaxScore: 55}, {Name: "quality", Score: 37, MaxScore: 45}},
		At:         time.Now().UTC(),
	}
}

// TestSignedEventVerifiedByTheStandardLibrary: a real receiver gets the
// event, and the Standard Webhooks library (not our signer) accepts it;
// after a rotation, receivers holding either secret accept it.
func TestSignedEventVerifiedByTheStandardLibrary(t *testing.T) {
	h := newHarness(t)
	rcv := newReceiver(t)
	ep := h.endpoint(rcv.URL)
	h.startWorker(4, time.Second)

	id := h.emit(store.EventSubmissionGraded, gradedData("11111111-1111-1111-1111-111111111111"))
	waitFor(t, 20*time.Second, "the event", func() bool { return len(rcv.requests()) == 1 })
	g := rcv.requests()[0]
	if g.ID != id || g.Msg.Type != store.EventSubmissionGraded {
		t.Fatalf("got id %s type %s, want %s submission.graded", g.ID, g.Msg.Type, id)
	}
	verify(t, ep.Secret, g)
	if !strings.Contains(string(g.Msg.Data), `"scorecard":"https://assay.example/submissions/11111111-1111-1111-1111-111111111111"`) ||
		!strings.Contains(string(g.Msg.Data), `"categories"`) {
		t.Fatalf("data lacks the scorecard summary and link: %s", g.Msg.Data)
	}

	rotated, err := h.store.UpdateWebhookEndpoint(h.ctx, h.actor, ep.ID, store.WebhookEndpointChanges{RotateSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Secret == ep.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") {
		t.Fatalf("rotation kept the secret")
	}
	h.emit(store.EventReviewDecided, map[string]any{"decision": "advance"})
	waitFor(t, 20*time.Second, "the second event", func() bool { return len(rcv.requests()) == 2 })
	g = rcv.requests()[1]
	verify(t, rotated.Secret, g)
	verify(t, ep.Secret, g) // the old secret signs too during the overlap
	waitFor(t, 10*time.Second, "the deliveries recorded", func() bool {
		ds := h.deliveries(ep.ID)
		return len(ds) == 2 && ds[0].State == store.DeliverySucceeded
	})
	ds := h.deliveries(ep.ID)
	if len(ds) != 2 || ds[0].State != store.DeliverySucceeded || len(ds[0].AttemptLog) != 1 ||
		ds[0].AttemptLog[0].StatusCode == nil || *ds[0].AttemptLog[0].StatusCode != 200 ||
		!strings.Contains(ds[0].AttemptLog[0].Response, `"received"`) {
		t.Fatalf("delivery log %+v", ds)
	}
}

// TestThirdTryAfterTwo500s: a receiver answering 500 twice then 200 gets
// the event on the third try, with the same id each time; every attempt is
// logged with its status and answer.
func TestThirdTryAfterTwo500s(t *testing.T) {
	h := newHarness(t)
	rcv := newReceiver(t)
	rcv.answer = func(n int, _ string) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	}
	ep := h.endpoint(rcv.URL)
	h.startWorker(2, time.Second)
	id := h.emit(store.EventSubmissionReceived, map[string]any{"submission_id": "s1"})
	waitFor(t, 30*time.Second, "the delivery to succeed", func() bool {
		ds := h.deliveries(ep.ID)
		return len(ds) == 1 && ds[0].State == store.DeliverySucceeded
	})
	got := rcv.requests()
	if len(got) != 3 {
		t.Fatalf("%d requests, want 3", len(got))
	}
	for _, g := range got {
		if g.ID != id {
			t.Fatalf("request id %s, want %s on every try", g.ID, id)
		}
		verify(t, ep.Secret, g)
	}
	d := h.deliveries(ep.ID)[0]
	var codes []int
	for _, a := range d.AttemptLog {
		codes = append(codes, *a.StatusCode)
	}
	if d.Attempts != 3 || len(codes) != 3 || codes[0] != 500 || codes[1] != 500 || codes[2] != 200 {
		t.Fatalf("attempts %d, codes %v", d.Attempts, codes)
	}
}

// TestReceiverDownThenBackGetsEverything: events sent while the receiver is
// down arrive once it is back.
func TestReceiverDownThenBackGetsEverything(t *testing.T) {
	h := newHarness(t)
	rcv := newReceiver(t)
	ep := h.endpoint(rcv.URL)
	rcv.down()
	h.startWorker(4, time.Second)
	want := map[string]bool{}
	for i := 0; i < 20; i++ {
		want[h.emit(store.EventInvitationOpened, map[string]any{"n": i})] = true
	}
	waitFor(t, 20*time.Second, "failed attempts while down", func() bool {
		ds := h.deliveries(ep.ID)
		failing := 0
		for _, d := range ds {
			if d.Attempts >= 1 {
				failing++
			}
		}
		return failing == 20
	})
	rcv.up()
	waitFor(t, 30*time.Second, "every event after the receiver came back", func() bool {
		return len(rcv.uniqueIDs()) == 20
	})
	for id := range rcv.uniqueIDs() {
		if !want[id] {
			t.Fatalf("unexpected event %s", id)
		}
	}
	waitFor(t, 10*time.Second, "deliveries marked succeeded", func() bool {
		for _, d := range h.deliveries(ep.ID) {
			if d.State != store.DeliverySucceeded || !strings.Contains(d.AttemptLog[0].Error, "connect") {
				return false
			}
		}
		return true
	})
}

// TestWorkerKilledMidDeliveryLosesNothing: the worker stops while requests
// are in flight (the receiver has them but never answers); another worker
// takes over and sends them again with the same ids, so a receiver that
// deduplicates on webhook-id has each event exactly once.
func TestWorkerKilledMidDeliveryLosesNothing(t *testing.T) {
	h := newHarness(t)
	rcv := newReceiver(t)
	release := make(chan struct{})
	var releaseOnce sync.Once
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	const hung = 3
	rcv.hold = func(n int) {
		if n <= hung {
			<-release // in flight when the worker dies
		}
	}
	ep := h.endpoint(rcv.URL)
	stop1 := h.startWorker(hung, 200*time.Millisecond)
	want := map[string]bool{}
	for i := 0; i < 30; i++ {
		want[h.emit(store.EventSubmissionGraded, gradedData("22222222-2222-2222-2222-222222222222"))] = true
	}
	waitFor(t, 20*time.Second, "requests in flight", func() bool { return len(rcv.requests()) >= hung })
	stop1()
	h.startWorker(4, time.Second)
	waitFor(t, 60*time.Second, "every event after the takeover", func() bool { return len(rcv.uniqueIDs()) == len(want) })
	ids := rcv.uniqueIDs()
	dup := 0
	for id, n := range ids {
		if !want[id] {
			t.Fatalf("unexpected event %s", id)
		}
		if n > 1 {
			dup++
		}
	}
	if dup < hung {
		t.Fatalf("%d events seen twice, want the %d in flight sent again with their ids", dup, hung)
	}
	for _, g := range rcv.requests() {
		verify(t, ep.Secret, g)
	}
	releaseOnce.Do(func() { close(release) })
}
