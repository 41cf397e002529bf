package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/tasks"
)

// TestEventsWrittenWithTheirChange: opening, submitting and reviewing each
// write their event, one delivery per subscribed enabled endpoint and its
// outbox row, in the transaction of the change.
func TestEventsWrittenWithTheirChange(t *testing.T) {
	ctx := context.Background()
	st, a := newTestStore(t)
	token := newInvitation(t, st, a, 2)
	db := st.db
	// Two endpoints: one subscribed to everything, one disabled.
	if err := db.Exec(`INSERT INTO webhook_endpoints (org_id, url, event_types, secret) VALUES (?, 'https://a.example', ?, 'whsec_x'),
		(?, 'https://b.example', ?, 'whsec_y')`, a.OrgID, "{"+strings.Join(EventTypes, ",")+"}", a.OrgID, "{review.decided}").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`UPDATE webhook_endpoints SET enabled = false WHERE url = 'https://b.example'`).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := st.OpenInvitation(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := st.OpenInvitation(ctx, token); err != nil { // a second open is not an event
		t.Fatal(err)
	}
	sub, err := st.Submit(ctx, token, "https://github.com/ada/x", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddReview(ctx, a, sub.ID, "advance", "good"); err != nil {
		t.Fatal(err)
	}
	var events []struct {
		ID, Type string
		Data     json.RawMessage
	}
	if err := db.Raw(`SELECT id, type, data FROM webhook_events ORDER BY created_at`).Scan(&events).Error; err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
		if !strings.HasPrefix(e.ID, "evt_") {
			t.Errorf("event id %q", e.ID)
		}
	}
	if got := strings.Join(types, ","); got != "invitation.opened,submission.received,review.decided" {
		t.Fatalf("events %s", got)
	}
	var opened InvitationEventData
	if err := json.Unmarshal(events[0].Data, &opened); err != nil || opened.OpenedAt == nil || opened.Candidate.Email != "ada@example.com" {
		t.Fatalf("invitation.opened data %s (%v)", events[0].Data, err)
	}
	var n int64
	db.Raw(`SELECT count(*) FROM webhook_deliveries d JOIN outbox o ON o.task_id = d.id::text
		WHERE o.task_type = ? AND o.queue = ?`, tasks.DeliverWebhook, tasks.QueueWebhooks).Scan(&n)
	if n != 3 {
		t.Fatalf("%d deliveries with their outbox rows, want 3 (the disabled endpoint gets none)", n)
	}
}

// TestFinishedGradingEmitsItsEvent: FinishGrading emits submission.graded
// with the scorecard's categories, or submission.failed with the reason, in
// its transaction.
func TestFinishedGradingEmitsItsEvent(t *testing.T) {
	ctx := context.Background()
	st, a := newTestStore(t)
	token := newInvitation(t, st, a, 5)
	grade := func(r GradeResult) string {
		t.Helper()
		sub, err := st.Submit(ctx, token, "https://github.com/ada/x", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ClaimSubmission(ctx, sub.ID, "w", time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishGrading(ctx, sub.ID, "w", r); err != nil {
			t.Fatal(err)
		}
		return sub.ID
	}
	card := json.RawMessage(`{"categories":[{"name":"correctness","score":40,"max_score":50}]}`)
	graded := grade(GradeResult{Status: StatusGraded, Score: 40, MaxScore: 50, Takehome: "planets-crud", SuiteVersion: "1", Scorecard: card})
	failed := grade(GradeResult{Status: StatusBuildFailed, Message: "exited with status 1"})
	var events []struct {
		Type string
		Data json.RawMessage
	}
	st.db.Raw(`SELECT type, data FROM webhook_events WHERE type LIKE 'submission.%' AND type <> ? ORDER BY created_at`, EventSubmissionReceived).Scan(&events)
	if len(events) != 2 || events[0].Type != EventSubmissionGraded || events[1].Type != EventSubmissionFailed {
		t.Fatalf("events %+v", events)
	}
	var g, f SubmissionEventData
	json.Unmarshal(events[0].Data, &g)
	json.Unmarshal(events[1].Data, &f)
	if g.SubmissionID != graded || *g.Score != 40 || len(g.Categories) != 1 || g.Categories[0].Name != "correctness" {
		t.Fatalf("graded data %s", events[0].Data)
	}
	if f.SubmissionID != failed || f.Status != StatusBuildFailed || f.Error != "exited with status 1" {
		t.Fatalf("failed data %s", events[1].Data)
	}
}
