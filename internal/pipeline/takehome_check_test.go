package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/pipeline"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
	"github.com/assayhq/assay/internal/takehome"
	"github.com/assayhq/assay/internal/testenv"
)

// A bundle whose reference solution does not score 100 is graded through
// the outbox, the queue and the real engine, and is rejected saying why: no
// assessment can be made of it.
func TestReferenceBelow100IsNeverIssued(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.runWorker(h.pipeline("worker-a", 30*time.Second), testenv.RedisAddr(), 1)
	// The reference serves no /hello.txt, so the bundle's one check fails.
	slug, v, err := rules.TakehomeUpload(testenv.Zip(testenv.HelloBundle("hello-th", "")))
	if err != nil {
		t.Fatal(err)
	}
	th, err := h.st.CreateTakehome(ctx, h.actor, slug, v)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for v.Status == store.TakehomeChecking {
		if time.Now().After(deadline) {
			t.Fatal("the version was still being checked after 3 minutes")
		}
		time.Sleep(500 * time.Millisecond)
		if v, err = h.st.TakehomeVersion(ctx, h.actor.OrgID, th.ID, 1); err != nil {
			t.Fatal(err)
		}
	}
	if v.Status != store.TakehomeRejected || !strings.Contains(v.Message, "reference scored 10/100 (hello.answers: failed, expected to pass") {
		t.Fatalf("version %s: %q", v.Status, v.Message)
	}
	var rep takehome.Report
	if err := json.Unmarshal(v.Report, &rep); err != nil || len(rep.Rows) != 1 || rep.Issuable || rep.Rows[0].Score != 10 {
		t.Fatalf("verdict table %s (%v)", v.Report, err)
	}
	as := store.Assessment{Takehome: slug, SuiteVersion: v.SuiteVersion, Title: "T", HoursAllowed: 24, MaxSubmissions: 1,
		CandidateView: store.ViewTotal, TakehomeVersionID: &v.ID}
	if err := h.st.CreateAssessment(ctx, h.actor, &as); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "was rejected: reference scored 10/100") {
		t.Fatalf("assessment of a rejected version: %v", err)
	}
	if got, err := h.st.IssuableTakehomes(ctx, h.actor.OrgID); err != nil || len(got) != 0 {
		t.Fatalf("catalogue offers %+v (%v)", got, err)
	}
}

// The check decides a version once: a task delivered again grades nothing,
// and a check that could not run rejects the version saying why.
func TestTakehomeCheckDecidesOnce(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	graded := 0
	c := &pipeline.TakehomeChecker{Store: db.Store, Grade: func(b *takehome.Bundle) takehome.GradeFunc {
		return func(ctx context.Context, s *grading.Suite, src takehome.Source, _ fs.FS) (*grading.Scorecard, error) {
			graded++
			if src.Dir != "reference" {
				t.Errorf("graded %s, want the reference", src)
			}
			return &grading.Scorecard{Status: grading.StatusGraded, Score: 100, MaxScore: 100}, nil
		}
	}}
	newVersion := func(slug string) (*store.Takehome, error) {
		_, v, err := rules.TakehomeUpload(testenv.Zip(testenv.HelloBundle(slug, "hello\n")))
		if err != nil {
			return nil, err
		}
		return db.Store.CreateTakehome(ctx, db.Actor, slug, v)
	}
	th, err := newVersion("good")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := c.Check(ctx, db.Actor.OrgID, th.Latest.ID); err != nil {
			t.Fatal(err)
		}
	}
	v, err := db.Store.TakehomeVersion(ctx, db.Actor.OrgID, th.ID, 1)
	if err != nil || v.Status != store.TakehomeIssuable || graded != 1 {
		t.Fatalf("status %s after grading %d times (%v)", v.Status, graded, err)
	}

	broken, err := newVersion("broken")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.GiveUp(ctx, db.Actor.OrgID, broken.Latest.ID, errors.New("sandbox: no space left on device")); err != nil {
		t.Fatal(err)
	}
	v, err = db.Store.TakehomeVersion(ctx, db.Actor.OrgID, broken.ID, 1)
	if err != nil || v.Status != store.TakehomeRejected || v.Message != "the check could not run: sandbox: no space left on device" {
		t.Fatalf("given up: %s %q (%v)", v.Status, v.Message, err)
	}
}
