package pipeline_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/testenv"
)

// TestRedisAndPostgresRestartMidRun: both services go away while
// submissions are being built and come back; every submission still ends
// graded, once.
func TestRedisAndPostgresRestartMidRun(t *testing.T) {
	h := newHarness(t)
	repo, _ := serveRepo(t, "hello", helloFiles("sleep 3"))
	var ids []string
	for i := 0; i < 4; i++ {
		ids = append(ids, h.submit(helloSuite, repo))
	}
	// The worker reaches both services through proxies that can "restart".
	pg := testenv.NewProxy(t, "127.0.0.1:5432")
	u, _ := url.Parse(h.dbURL)
	u.Host = pg.Addr
	viaProxy, err := store.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer viaProxy.Close()
	redis := testenv.NewProxy(t, testenv.RedisAddr())
	p := h.pipeline("w", 5*time.Second)
	p.Store = viaProxy
	h.runWorker(p, redis.Addr, 2)

	h.waitStatus(ids[0], store.StatusBuilding, time.Minute)
	pg.Down()
	redis.Down()
	time.Sleep(4 * time.Second)
	pg.Up()
	redis.Up()

	subs := h.waitFinished(ids, 4*time.Minute)
	for _, id := range ids {
		if s := subs[id]; s.Status != store.StatusGraded || s.Score == nil || *s.Score != 100 {
			t.Errorf("submission %s: %s %v %s", id, s.Status, s.Score, s.Error)
		}
	}
	var cards int
	h.st.SQL().QueryRow("SELECT count(*) FROM scorecards").Scan(&cards)
	if cards != len(ids) {
		t.Errorf("%d scorecards for %d submissions", cards, len(ids))
	}
}
