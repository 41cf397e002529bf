package webhooks_test

import (
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/store"
)

// BenchmarkGradedEventsToReceiver sends submission.graded events (10,000,
// or ASSAY_BENCH_WEBHOOK_EVENTS) to a real receiver on loopback through the
// whole path: event and outbox rows committed, the relay, Redis, a worker
// running 32 deliveries at once, the signing sender. Two runs:
//
//   - burst: 16 writers commit every event as fast as they can; reports
//     burst-deliveries/min (first event committed to last one received),
//     the capacity of the path;
//   - paced: events committed at a steady ASSAY_BENCH_WEBHOOK_RATE per second
//     (200, i.e. 12,000 a minute, above the 10,000 goal); reports
//     deliveries/min and p50/p99 from an event's commit to its receipt.
//
// Both report events lost and received more than once (summed).
func BenchmarkGradedEventsToReceiver(b *testing.B) {
	n := envInt("ASSAY_BENCH_WEBHOOK_EVENTS", 10000)
	rate := envInt("ASSAY_BENCH_WEBHOOK_RATE", 200)
	for iter := 0; iter < b.N; iter++ {
		b.StopTimer()
		h := newHarness(b)
		rcv := newReceiver(b)
		h.endpoint(rcv.URL)
		h.startWorker(32, 5*time.Second)
		b.StartTimer()
		burst := runPhase(b, h, rcv, n, 0)
		paced := runPhase(b, h, rcv, n, rate)
		b.ReportMetric(burst.perMinute, "burst-deliveries/min")
		b.ReportMetric(paced.perMinute, "deliveries/min")
		b.ReportMetric(paced.pct(0.50), "p50-ms")
		b.ReportMetric(paced.pct(0.99), "p99-ms")
		b.ReportMetric(float64(burst.lost+paced.lost), "lost")
		b.ReportMetric(float64(burst.dups+paced.dups), "duplicates")
		b.ReportMetric(0, "ns/op")
	}
}

type phaseResult struct {
	perMinute  float64
	latencies  []time.Duration
	lost, dups int
}

func (r phaseResult) pct(p float64) float64 {
	if len(r.latencies) == 0 {
		return 0
	}
	return float64(r.latencies[int(p*float64(len(r.latencies)-1))].Microseconds()) / 1000
}

// runPhase commits n events, at rate per second (0: as fast as 16 writers
// go), and waits until the receiver has them all.
func runPhase(b *testing.B, h *harness, rcv *receiver, n, rate int) phaseResult {
	base := rcv.count()
	emitted := make(map[string]time.Time, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	ticks := make(chan struct{}, n)
	start := time.Now()
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range ticks {
				id := h.emit(store.EventSubmissionGraded, gradedData("33333333-3333-3333-3333-333333333333"))
				at := time.Now()
				mu.Lock()
				emitted[id] = at
				mu.Unlock()
			}
		}()
	}
	if rate > 0 {
		tick := time.NewTicker(time.Second / time.Duration(rate))
		for i := 0; i < n; i++ {
			<-tick.C
			ticks <- struct{}{}
		}
		tick.Stop()
	} else {
		for i := 0; i < n; i++ {
			ticks <- struct{}{}
		}
	}
	close(ticks)
	wg.Wait()
	received := func() map[string][]time.Time {
		out := map[string][]time.Time{}
		for _, g := range rcv.requests() {
			if _, ours := emitted[g.ID]; ours {
				out[g.ID] = append(out[g.ID], g.At)
			}
		}
		return out
	}
	// Counting is cheap; matching ids is done once the count says so.
	want := base + n
	waitFor(b, 15*time.Minute, "every event at the receiver", func() bool { return rcv.count() >= want && len(received()) >= n })
	elapsed := time.Since(start)
	time.Sleep(500 * time.Millisecond) // let a stray duplicate show up
	got := received()
	r := phaseResult{perMinute: float64(n) / elapsed.Minutes()}
	for id, at := range emitted {
		times, ok := got[id]
		if !ok {
			r.lost++
			continue
		}
		r.dups += len(times) - 1
		r.latencies = append(r.latencies, times[0].Sub(at))
	}
	slices.Sort(r.latencies)
	return r
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
