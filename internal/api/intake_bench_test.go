package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/store"
)

// BenchmarkCandidateIntake sends candidate submissions at a fixed rate
// (open loop: a slow server does not slow the sender) through real HTTP to a
// real PostgreSQL, and reports latency percentiles, errors and whether every
// accepted submission reached the outbox. Rate and duration:
// ASSAY_BENCH_RPS (200) and ASSAY_BENCH_SECONDS (30).
func BenchmarkCandidateIntake(b *testing.B) {
	rps := envInt("ASSAY_BENCH_RPS", 200)
	secs := envInt("ASSAY_BENCH_SECONDS", 30)
	e := newEnv(b)
	ctx := context.Background()
	total := rps * secs
	const perInvitation = 20 // the most attempts an assessment allows
	var as store.Assessment
	e.mustJSON(e.do("POST", "/api/v1/assessments", e.a.tokens["recruiter"], map[string]any{
		"takehome": "planets-crud", "title": "Load", "max_submissions": perInvitation}), 201, &as)
	tokens := make([]string, 0, total/perInvitation+1)
	for i := 0; i*perInvitation < total; i++ {
		tok, err := e.store.CreateInvitation(ctx, store.Actor{OrgID: e.a.id, Label: "bench"},
			&store.Invitation{AssessmentID: as.ID, CandidateName: "Load", CandidateEmail: fmt.Sprintf("l%d@example.com", i)})
		if err != nil {
			b.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}, Timeout: 10 * time.Second}
	body := `{"repo_url":"https://github.com/load/test","ref":"main"}`
	// Warm up as a running service is warm: database connections open and
	// statements prepared. A second of submissions on their own invitations,
	// not counted.
	var warm sync.WaitGroup
	for i := 0; i < rps; i++ {
		tok, err := e.store.CreateInvitation(ctx, store.Actor{OrgID: e.a.id, Label: "bench"},
			&store.Invitation{AssessmentID: as.ID, CandidateName: "Warm", CandidateEmail: fmt.Sprintf("w%d@example.com", i)})
		if err != nil {
			b.Fatal(err)
		}
		warm.Add(1)
		go func() {
			defer warm.Done()
			req, _ := http.NewRequest("POST", e.url+"/api/v1/candidate/submissions", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
		time.Sleep(time.Second / time.Duration(rps))
	}
	warm.Wait()

	b.ResetTimer()
	for iter := 0; iter < b.N; iter++ {
		var (
			mu        sync.Mutex
			latencies = make([]time.Duration, 0, total)
			errs      atomic.Int64
			wg        sync.WaitGroup
		)
		tick := time.NewTicker(time.Second / time.Duration(rps))
		start := time.Now()
		for i := 0; i < total; i++ {
			<-tick.C
			tok := tokens[i%len(tokens)]
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", e.url+"/api/v1/candidate/submissions", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				d := time.Since(t0)
				if err != nil || resp.StatusCode != http.StatusAccepted {
					if errs.Add(1) <= 3 {
						msg := fmt.Sprint(err)
						if resp != nil {
							b, _ := io.ReadAll(resp.Body)
							msg = fmt.Sprintf("%d %s", resp.StatusCode, b)
						}
						fmt.Fprintf(os.Stderr, "intake error: %s\n", msg)
					}
				}
				if resp != nil {
					resp.Body.Close()
				}
				mu.Lock()
				latencies = append(latencies, d)
				if os.Getenv("ASSAY_BENCH_TRACE") != "" && d > 100*time.Millisecond {
					fmt.Fprintf(os.Stderr, "slow: at %s took %s\n", t0.Sub(start).Round(time.Millisecond), d.Round(time.Millisecond))
				}
				mu.Unlock()
			}()
		}
		tick.Stop()
		wg.Wait()
		elapsed := time.Since(start)
		slices.Sort(latencies)
		pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
		var inOutbox int64
		e.store.SQL().QueryRow(`SELECT count(*) FROM outbox o JOIN submissions s ON s.id::text = o.task_id
			JOIN invitations i ON i.id = s.invitation_id WHERE s.assessment_id = $1 AND i.candidate_name = 'Load'`, as.ID).Scan(&inOutbox)
		b.ReportMetric(float64(total)/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(errs.Load()), "errors")
		b.ReportMetric(float64(inOutbox), "in-outbox")
		fmt.Fprintf(os.Stderr, "intake: %d submissions at %d/s for %ds: p50 %s p99 %s, %d errors, %d in the outbox\n",
			total, rps, secs, pct(0.5).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), errs.Load(), inOutbox)
		if iter+1 < b.N {
			b.Fatal("run with -benchtime 1x: each run uses up the invitations' attempts")
		}
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
