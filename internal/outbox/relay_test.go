package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/outbox"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/hibiken/asynq"
)

// TestSubmissionsWaitForRedisAndAreEnqueuedOnce: with Redis unreachable,
// submissions are accepted and stay in the outbox; when it is back, two
// relays running at once enqueue each exactly once.
func TestSubmissionsWaitForRedisAndAreEnqueuedOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	platform := storetest.New(t)
	st, actor := platform.Store, platform.Actor
	_, db := testenv.NewRedisDB(t)
	proxy := testenv.NewProxy(t, testenv.RedisAddr())
	proxy.Down()

	as := store.Assessment{Takehome: "planets-crud", SuiteVersion: "1", Title: "T", HoursAllowed: 24, MaxSubmissions: 3, CandidateView: "total"}
	if err := st.CreateAssessment(ctx, actor, &as); err != nil {
		t.Fatal(err)
	}
	const n = 12
	want := map[string]bool{}
	for i := 0; i < n; i++ {
		token, err := st.CreateInvitation(ctx, actor, &store.Invitation{AssessmentID: as.ID, CandidateName: "C", CandidateEmail: fmt.Sprintf("c%d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := st.Submit(ctx, token, "https://github.com/c/r", "")
		if err != nil {
			t.Fatalf("submission %d refused while Redis is down: %v", i, err)
		}
		want[sub.ID] = true
	}

	relayCtx, stopRelays := context.WithCancel(ctx)
	defer stopRelays()
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		client := asynq.NewClient(asynq.RedisClientOpt{Addr: proxy.Addr, DB: db, DialTimeout: 300 * time.Millisecond})
		defer client.Close()
		r := &outbox.Relay{Store: st, Client: client, Interval: 50 * time.Millisecond}
		wg.Add(1)
		go func() { defer wg.Done(); r.Run(relayCtx) }()
	}
	time.Sleep(1500 * time.Millisecond)
	if pending, _ := st.PendingOutbox(ctx); pending != n {
		t.Fatalf("with Redis down, %d of %d tasks left the outbox", n-int(pending), n)
	}

	proxy.Up()
	for {
		pending, err := st.PendingOutbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%d tasks still in the outbox after Redis came back", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stopRelays()
	wg.Wait()

	in := asynq.NewInspector(asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: db})
	defer in.Close()
	enqueued, err := in.ListPendingTasks(tasks.QueueGrading, asynq.PageSize(100))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, task := range enqueued {
		got[task.ID]++
		if task.Type != tasks.GradeSubmission {
			t.Errorf("task type %q", task.Type)
		}
	}
	if len(got) != n || len(enqueued) != n {
		t.Fatalf("queue holds %d tasks for %d submissions, want %d each", len(enqueued), len(got), n)
	}
	for id := range want {
		if got[id] != 1 {
			t.Errorf("submission %s enqueued %d times", id, got[id])
		}
	}
}
