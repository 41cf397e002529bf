package pipeline_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/pipeline"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/testenv"
)

// TestTwentySubmissionsAtOnce: all graded, each exactly once.
func TestTwentySubmissionsAtOnce(t *testing.T) {
	h := newHarness(t)
	repo, commit := serveRepo(t, "hello", helloFiles(""))
	var ids []string
	for i := 0; i < 20; i++ {
		ids = append(ids, h.submit(helloSuite, repo))
	}
	// Two workers share the queue, as two processes would.
	h.runWorker(h.pipeline("worker-a", 30*time.Second), testenv.RedisAddr(), 2)
	h.runWorker(h.pipeline("worker-b", 30*time.Second), testenv.RedisAddr(), 2)
	subs := h.waitFinished(ids, 6*time.Minute)
	for _, id := range ids {
		s := subs[id]
		if s.Status != store.StatusGraded || s.Score == nil || *s.Score != 100 || s.CommitSHA != commit {
			t.Errorf("submission %s: status %s score %v commit %s: %s", id, s.Status, s.Score, s.CommitSHA, s.Error)
		}
		if n := h.gradeRuns(id); n != 1 {
			t.Errorf("submission %s graded %d times", id, n)
		}
	}
	var cards int
	h.st.SQL().QueryRow("SELECT count(*) FROM scorecards").Scan(&cards)
	if cards != 20 {
		t.Errorf("%d scorecards for 20 submissions", cards)
	}
}

// TestTaskDeliveredTwiceGradesOnce: two workers handed the same task at the
// same moment grade it once; a late redelivery changes nothing.
func TestTaskDeliveredTwiceGradesOnce(t *testing.T) {
	h := newHarness(t)
	repo, _ := serveRepo(t, "hello", helloFiles(""))
	id := h.submit(helloSuite, repo)
	a, b := h.pipeline("a", 30*time.Second), h.pipeline("b", 30*time.Second)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, p := range []*pipeline.Pipeline{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = p.Grade(context.Background(), id) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, pipeline.ErrRetryLater) {
			t.Fatalf("grade: %v", err)
		}
	}
	if err := b.Grade(context.Background(), id); err != nil {
		t.Fatalf("late redelivery: %v", err)
	}
	if n := h.gradeRuns(id); n != 1 {
		t.Fatalf("graded %d times", n)
	}
	if s := h.waitFinished([]string{id}, time.Second)[id]; s.Status != store.StatusGraded {
		t.Fatalf("status %s: %s", s.Status, s.Error)
	}
}

// TestCancelStopsTheRun: a cancel during a long build ends the run within a
// few seconds, keeps the submission canceled and stores no scorecard.
func TestCancelStopsTheRun(t *testing.T) {
	h := newHarness(t)
	repo, _ := serveRepo(t, "slow", helloFiles("sleep 600"))
	id := h.submit(helloSuite, repo)
	p := h.pipeline("w", 30*time.Second)
	done := make(chan error, 1)
	go func() { done <- p.Grade(context.Background(), id) }()
	h.waitStatus(id, store.StatusBuilding, time.Minute)
	if _, err := h.st.CancelSubmission(context.Background(), h.actor, id); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("grade after cancel: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not stop within 30 s of the cancel")
	}
	d, err := h.st.Submission(context.Background(), h.actor.OrgID, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Submission.Status != store.StatusCanceled || d.Scorecard != nil {
		t.Fatalf("after cancel: status %s, scorecard %s", d.Submission.Status, d.Scorecard)
	}
	var owner *string
	h.st.SQL().QueryRow("SELECT lease_owner FROM submissions WHERE id = $1", id).Scan(&owner)
	if owner != nil {
		t.Fatalf("lease still held by %s", *owner)
	}
}

func (h *harness) waitStatus(id, status string, timeout time.Duration) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		d, err := h.st.Submission(context.Background(), h.actor.OrgID, id)
		if err == nil && d.Submission.Status == status {
			return
		}
		if err == nil && store.Finished(d.Submission.Status) {
			h.t.Fatalf("submission finished as %s (%s) before reaching %s", d.Submission.Status, d.Submission.Error, status)
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("submission did not reach %s within %s", status, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
