package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/store"
)

// benchSubmissions is the organisation's size the benchmark measures at.
const benchSubmissions = 10000

// realisticScorecard is about the size of a real one: 25 checks across the
// four categories, each with a few recorded HTTP exchanges.
func realisticScorecard() *grading.Scorecard {
	cats := []grading.Category{grading.Correctness, grading.Migrations, grading.Endpoints, grading.Quality}
	sc := &grading.Scorecard{Takehome: helloSuite.Slug, SuiteVersion: "1", Status: grading.StatusGraded, MaxScore: 100,
		Phases:     []grading.Phase{{Name: "build", Status: grading.PhaseOK, OutputTail: strings.Repeat("compiling module\n", 40)}},
		SchemaDump: strings.Repeat("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);\n", 20),
		Metrics:    map[string]float64{"list_endpoint_sql_statements": 2}}
	body := `{"items":[` + strings.Repeat(`{"id":1,"name":"milk","quantity":2},`, 25) + `{"id":2}]}`
	for i := range 25 {
		st, score := grading.CheckPassed, 4
		if i%4 == 0 {
			st, score = grading.CheckFailed, 0
		}
		var xs []grading.Exchange
		for j := range 3 {
			xs = append(xs, grading.Exchange{Method: "GET", Path: fmt.Sprintf("/lists/%d", j), Status: 200, ContentType: "application/json", ResponseBody: body})
		}
		sc.Checks = append(sc.Checks, grading.CheckResult{ID: fmt.Sprintf("bench.check_%02d", i), Title: fmt.Sprintf("Check %d", i),
			Category: cats[i%4], Status: st, Score: score, MaxScore: 4, Message: "one line", Visibility: grading.Visible,
			Evidence: map[string]any{"exchanges": xs, "statements_per_request": 2}})
		sc.Score += score
	}
	for _, c := range cats {
		cs := grading.CategoryScore{Name: c}
		for _, ch := range sc.Checks {
			if ch.Category == c {
				cs.Score += ch.Score
				cs.MaxScore += ch.MaxScore
			}
		}
		sc.Categories = append(sc.Categories, cs)
	}
	return sc
}

// seedOrganisation fills the organisation with benchSubmissions submissions
// over five assessments, 80 % graded with a scorecard, some reviewed. It
// writes with SQL in bulk: the store's one-by-one path would take minutes.
func seedOrganisation(b *testing.B, e *env) (assessment string) {
	b.Helper()
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: fmt.Sprintf("Round %d", i),
			HoursAllowed: 72, MaxSubmissions: 3, CandidateView: store.ViewTotal}
		if err := e.st.CreateAssessment(ctx, e.actor(store.RoleRecruiter), &as); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, as.ID)
	}
	card, err := json.Marshal(realisticScorecard())
	if err != nil {
		b.Fatal(err)
	}
	db := e.st.SQL()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO invitations (org_id, assessment_id, candidate_name, candidate_email, token_hash, state, opened_at, expires_at)
			SELECT $1, ($2::uuid[])[1 + g % 5], 'Candidate ' || g, 'c' || g || '@example.com', sha256(g::text::bytea), 'submitted', now(), now() + interval '3 days'
			FROM generate_series(1, $3::int) g`, []any{e.org, "{" + strings.Join(ids, ",") + "}", benchSubmissions}},
		{`INSERT INTO submissions (org_id, assessment_id, invitation_id, repo_url, attempt, status, score, max_score, created_at)
			SELECT org_id, assessment_id, id, 'https://github.com/c/solution', 1,
				CASE WHEN r < 0.8 THEN 'graded' ELSE 'build_failed' END,
				CASE WHEN r < 0.8 THEN (r * 125)::int END, CASE WHEN r < 0.8 THEN 100 END,
				now() - r * interval '90 days'
			FROM (SELECT *, random() AS r FROM invitations WHERE org_id = $1) i`, []any{e.org}},
		{`INSERT INTO scorecards (org_id, submission_id, takehome, suite_version, status, score, max_score, data)
			SELECT org_id, id, 'hello', '1', 'graded', score, 100, $2::jsonb FROM submissions WHERE org_id = $1 AND status = 'graded'`, []any{e.org, string(card)}},
		{`INSERT INTO reviews (org_id, submission_id, decision) SELECT org_id, id, 'hold' FROM submissions
			WHERE org_id = $1 AND status = 'graded' ORDER BY random() LIMIT 2000`, []any{e.org}},
		{`ANALYZE`, nil},
	} {
		if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
			b.Fatalf("seed: %v\n%s", err, q.sql)
		}
	}
	return ids[0]
}

// BenchmarkDashboardPages measures the server time of the submissions
// table (several filters, sorts and pages) and of the scorecard page in an
// organisation of 10,000 submissions, in process: routing, store queries,
// template rendering, no network. Goal: p95 under 50 ms.
func BenchmarkDashboardPages(b *testing.B) {
	e := newEnv(b, "")
	assessment := seedOrganisation(b, e)
	var graded []string
	rows, err := e.st.SQL().Query(`SELECT id FROM submissions WHERE status = 'graded' ORDER BY random() LIMIT 50`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		graded = append(graded, id)
	}
	rows.Close()
	cookie := e.sessionCookie(store.RoleReviewer)

	tables := []string{
		"/submissions",
		"/submissions?sort=score",
		"/submissions?sort=score&page=150",
		"/submissions?assessment=" + assessment + "&status=graded&sort=score&page=3",
		"/submissions?status=build_failed",
	}
	const rounds = 200
	measure := func(b *testing.B, paths func(i int) string) {
		for range b.N {
			times := make([]float64, 0, rounds)
			byPath := map[string][]float64{}
			for i := range rounds {
				req := httptest.NewRequest(http.MethodGet, paths(i), nil)
				req.AddCookie(cookie)
				w := httptest.NewRecorder()
				start := time.Now()
				e.engine.ServeHTTP(w, req)
				ms := float64(time.Since(start).Microseconds()) / 1000
				times = append(times, ms)
				byPath[paths(i)] = append(byPath[paths(i)], ms)
				if w.Code != http.StatusOK {
					b.Fatalf("GET %s: %d", paths(i), w.Code)
				}
			}
			if len(byPath) < 10 { // the table's variants: say which is slow
				for p, ts := range byPath {
					slices.Sort(ts)
					b.Logf("%-70s p50 %6.1f ms  max %6.1f ms", p, ts[len(ts)/2], ts[len(ts)-1])
				}
			}
			slices.Sort(times)
			b.ReportMetric(times[len(times)/2], "p50-ms")
			b.ReportMetric(times[len(times)*95/100], "p95-ms")
		}
	}
	b.Run("submissions-table", func(b *testing.B) { measure(b, func(i int) string { return tables[i%len(tables)] }) })
	b.Run("scorecard", func(b *testing.B) { measure(b, func(i int) string { return "/submissions/" + graded[i%len(graded)] }) })
}
