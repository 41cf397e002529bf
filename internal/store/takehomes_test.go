package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/tasks"
)

func newVersion(title string) *TakehomeVersion {
	return &TakehomeVersion{SuiteVersion: "1", Title: title, Brief: "# Brief", Source: TakehomeSourceUpload, Bundle: []byte("PK zip of " + title)}
}

func TestTakehomeVersionsAreNumberedCheckedAndQueued(t *testing.T) {
	st, a := newTestStore(t)
	ctx := context.Background()
	th, err := st.CreateTakehome(ctx, a, "webhooks", newVersion("Webhooks"))
	if err != nil {
		t.Fatal(err)
	}
	if th.Latest.Number != 1 || th.Latest.Status != TakehomeChecking {
		t.Fatalf("first version = %d %s, want 1 checking", th.Latest.Number, th.Latest.Status)
	}
	if _, err := st.CreateTakehome(ctx, a, "webhooks", newVersion("Again")); !errors.Is(err, ErrConflict) {
		t.Fatalf("same slug twice: %v, want a conflict", err)
	}
	v2 := newVersion("Webhooks v2")
	if err := st.AddTakehomeVersion(ctx, a, th.ID, "webhooks", v2); err != nil {
		t.Fatal(err)
	}
	if v2.Number != 2 {
		t.Fatalf("second version numbered %d", v2.Number)
	}
	if err := st.AddTakehomeVersion(ctx, a, th.ID, "other-slug", newVersion("x")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a bundle of another slug as a version: %v, want invalid", err)
	}

	// Each version's check is queued once, by version id.
	var msgs []OutboxMessage
	if err := st.db.Where("task_type = ?", tasks.CheckTakehome).Order("id").Find(&msgs).Error; err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[1].TaskID != "takehome-check:"+v2.ID || !strings.Contains(string(msgs[1].Payload), v2.ID) {
		t.Fatalf("outbox = %+v", msgs)
	}

	// An assessment can pin neither version until its check passed.
	as := Assessment{Takehome: "webhooks", SuiteVersion: "1", Title: "T", HoursAllowed: 24, MaxSubmissions: 1,
		CandidateView: ViewTotal, TakehomeVersionID: &v2.ID}
	if err := st.CreateAssessment(ctx, a, &as); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "still being checked") {
		t.Fatalf("pin a version being checked: %v", err)
	}
	if _, err := st.IssuableVersion(ctx, a.OrgID, "webhooks", 0); !errors.Is(err, ErrConflict) {
		t.Fatalf("latest issuable with none checked: %v", err)
	}

	report := json.RawMessage(`[{"name":"reference","score":80}]`)
	if err := st.FinishTakehomeCheck(ctx, a.OrgID, th.Latest.ID, TakehomeRejected, report, "the reference solution scored 80/100"); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishTakehomeCheck(ctx, a.OrgID, th.Latest.ID, TakehomeIssuable, nil, ""); !errors.Is(err, ErrFinished) {
		t.Fatalf("a second verdict on a decided version: %v, want ErrFinished", err)
	}
	as.TakehomeVersionID = &th.Latest.ID
	if err := st.CreateAssessment(ctx, a, &as); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "scored 80/100") {
		t.Fatalf("pin a rejected version: %v", err)
	}
	if err := st.FinishTakehomeCheck(ctx, a.OrgID, v2.ID, TakehomeIssuable, json.RawMessage(`[]`), ""); err != nil {
		t.Fatal(err)
	}
	pin, err := st.IssuableVersion(ctx, a.OrgID, "webhooks", 0)
	if err != nil || pin.VersionID != v2.ID || pin.Title != "Webhooks v2" {
		t.Fatalf("latest issuable = %+v, %v", pin, err)
	}
	as.TakehomeVersionID = &v2.ID
	if err := st.CreateAssessment(ctx, a, &as); err != nil {
		t.Fatalf("pin an issuable version: %v", err)
	}
	list, _, err := st.Takehomes(ctx, a.OrgID, Page{})
	if err != nil || len(list) != 1 || list[0].Latest == nil || list[0].Latest.Number != 2 || list[0].Title != "Webhooks v2" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if list[0].Latest.Bundle != nil {
		t.Fatal("a list carries the bundle's bytes")
	}
}

// Organisation B sees, pins and reads nothing of organisation A's take-homes,
// even knowing their ids.
func TestTakehomesAreTheOrganisationsOwn(t *testing.T) {
	st, a := newTestStore(t)
	ctx := context.Background()
	orgB, err := st.EnsureOrganization(ctx, "Globex")
	if err != nil {
		t.Fatal(err)
	}
	b := Actor{OrgID: orgB.ID, Label: "test"}
	th, err := st.CreateTakehome(ctx, a, "webhooks", newVersion("Webhooks"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishTakehomeCheck(ctx, b.OrgID, th.Latest.ID, TakehomeIssuable, nil, ""); !errors.Is(err, ErrFinished) {
		t.Fatalf("B decides A's check: %v", err)
	}
	if err := st.FinishTakehomeCheck(ctx, a.OrgID, th.Latest.ID, TakehomeIssuable, nil, ""); err != nil {
		t.Fatal(err)
	}

	if list, _, err := st.Takehomes(ctx, b.OrgID, Page{}); err != nil || len(list) != 0 {
		t.Fatalf("B lists %+v, %v", list, err)
	}
	if got, err := st.IssuableTakehomes(ctx, b.OrgID); err != nil || len(got) != 0 {
		t.Fatalf("B's catalogue has %+v, %v", got, err)
	}
	if _, _, err := st.Takehome(ctx, b.OrgID, th.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("B reads A's take-home: %v", err)
	}
	if _, err := st.TakehomeVersion(ctx, b.OrgID, th.ID, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("B reads A's version: %v", err)
	}
	if _, err := st.TakehomeBundle(ctx, b.OrgID, th.Latest.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("B fetches A's bundle: %v", err)
	}
	if _, err := st.PinnedTakehome(ctx, b.OrgID, th.Latest.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("B reads A's pinned brief: %v", err)
	}
	if _, err := st.IssuableVersion(ctx, b.OrgID, "webhooks", 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("B finds A's slug: %v", err)
	}
	if err := st.AddTakehomeVersion(ctx, b, th.ID, "webhooks", newVersion("x")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("B adds a version to A's take-home: %v", err)
	}
	as := Assessment{Takehome: "webhooks", SuiteVersion: "1", Title: "T", HoursAllowed: 24, MaxSubmissions: 1,
		CandidateView: ViewTotal, TakehomeVersionID: &th.Latest.ID}
	if err := st.CreateAssessment(ctx, b, &as); !errors.Is(err, ErrNotFound) {
		t.Fatalf("B pins A's version: %v", err)
	}
	// The database refuses it too, whatever the code above it checks.
	err = st.db.Exec(`INSERT INTO assessments (org_id, takehome, suite_version, title, hours_allowed, max_submissions, candidate_view, takehome_version_id)
		VALUES (?, 'webhooks', '1', 'T', 24, 1, 'total', ?)`, b.OrgID, th.Latest.ID).Error
	if err == nil || !strings.Contains(err.Error(), "assessments_takehome_version_fkey") {
		t.Fatalf("database accepted B pinning A's version: %v", err)
	}
	// B may have a take-home of the same slug: its own.
	if _, err := st.CreateTakehome(ctx, b, "webhooks", newVersion("B's")); err != nil {
		t.Fatalf("B's own take-home of the same slug: %v", err)
	}
	if got, err := st.IssuableTakehomes(ctx, a.OrgID); err != nil || len(got) != 1 || got[0].Title != "Webhooks" {
		t.Fatalf("A's catalogue = %+v, %v", got, err)
	}
}

// A check the queue lost (its row handed over long ago, the version still
// being checked) is handed over again, once; a decided version is not.
func TestRequeueStaleChecks(t *testing.T) {
	st, a := newTestStore(t)
	ctx := context.Background()
	lost, err := st.CreateTakehome(ctx, a, "lost", newVersion("Lost"))
	if err != nil {
		t.Fatal(err)
	}
	done, err := st.CreateTakehome(ctx, a, "done", newVersion("Done"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishTakehomeCheck(ctx, a.OrgID, done.Latest.ID, TakehomeIssuable, nil, ""); err != nil {
		t.Fatal(err)
	}
	if n, err := st.RequeueStaleChecks(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("with the first rows waiting: %d, %v", n, err)
	}
	// Both rows handed over two hours ago.
	if err := st.db.Exec(`UPDATE outbox SET sent_at = now() - interval '2 hours'`).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.db.Exec(`UPDATE takehome_versions SET created_at = now() - interval '2 hours'`).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := st.RequeueStaleChecks(ctx, time.Hour); err != nil || n != 1 {
		t.Fatalf("requeued %d, %v; want the lost check alone", n, err)
	}
	if n, err := st.RequeueStaleChecks(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("requeued %d again while its row waits (%v)", n, err)
	}
	var pending []OutboxMessage
	if err := st.db.Where("sent_at IS NULL").Find(&pending).Error; err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].TaskID != "takehome-check:"+lost.Latest.ID {
		t.Fatalf("pending rows %+v", pending)
	}
}
