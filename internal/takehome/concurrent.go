package takehome

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/assayhq/assay/internal/grading"
)

// outcome is one request of a concurrent step.
type outcome struct {
	status int
	ms     float64
	err    error
	resp   *grading.Response
}

// pooledConns is how many connections a concurrent step keeps open for
// reuse: enough for a rate step's requests in flight on a slow service.
const pooledConns = 64

// keptFailures bounds the exchanges a concurrent step keeps as evidence.
const keptFailures = 5

// concurrent sends N copies at once, released by a barrier, or a rate of
// requests for a duration (open loop: a slow answer does not slow the
// sending). Its scope is count, errors, statuses and latency percentiles.
func (x *executor) concurrent(ctx context.Context, gc *grading.C, c *concurrent) (map[string]any, string, string) {
	n := c.atOnce
	if n == 0 {
		n = int(math.Round(c.rate * c.duration.Seconds()))
	}
	reqs := make([]*sent, n)
	for i := range reqs {
		s, err := x.render(ctx, c.req, i)
		if err != nil {
			return nil, "", fmt.Sprintf("request %d could not be written: %s", i, evalReason(err))
		}
		reqs[i] = s
	}
	outs := make([]outcome, n)
	svc, release := x.svc.Pooled(pooledConns)
	defer release()
	var wg sync.WaitGroup
	send := func(i int) {
		defer wg.Done()
		s := reqs[i]
		resp, err := svc.Send(ctx, s.method, s.path, s.header, s.body)
		outs[i] = outcome{status: resp.Status, ms: float64(resp.Exchange.DurationMS), err: err, resp: resp}
	}
	start := time.Now()
	if c.atOnce > 0 {
		gate := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				<-gate
				send(i)
			}()
		}
		close(gate)
	} else {
		interval := time.Duration(float64(time.Second) / c.rate)
		for i := range n {
			// Each request leaves at its own time from the start, so that a
			// late tick does not shift the ones after it.
			if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
				select {
				case <-ctx.Done():
					return nil, "", "the run was interrupted during the concurrent step"
				case <-time.After(d):
				}
			}
			wg.Add(1)
			go send(i)
		}
	}
	wg.Wait()
	return x.concurrentScope(gc, outs, time.Since(start))
}

func (x *executor) concurrentScope(gc *grading.C, outs []outcome, took time.Duration) (map[string]any, string, string) {
	statuses := map[int64]int64{}
	var lat []float64
	errs := 0
	kept := 0
	for _, o := range outs {
		if o.err != nil {
			errs++
		} else {
			statuses[int64(o.status)]++
			lat = append(lat, o.ms)
		}
		if (o.err != nil || o.status >= 400) && kept < keptFailures {
			gc.Keep(o.resp)
			kept++
		}
	}
	slices.Sort(lat)
	scope := map[string]any{"count": int64(len(outs)), "errors": int64(errs), "statuses": statuses,
		"p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95), "p99_ms": percentile(lat, 99),
		"max_ms": percentile(lat, 100)}
	summary := fmt.Sprintf("%d requests in %.1f s, statuses %v, %d without answer, p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms",
		len(outs), took.Seconds(), statuses, errs, scope["p50_ms"], scope["p95_ms"], scope["p99_ms"], scope["max_ms"])
	gc.Evidence("concurrent", summary)
	return scope, summary, ""
}

// percentile is the nearest-rank percentile of sorted values, 0 when none.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}
