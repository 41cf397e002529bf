package takehome

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/grading"
)

// step runs one step and judges it: "" when it passed, else the check's
// one-line failure.
func (x *executor) step(ctx context.Context, gc *grading.C, st *step) string {
	switch st.kind {
	case stepRestart:
		return x.restart(ctx, st.release)
	case stepFreshDatabase:
		return x.fresh(ctx)
	case stepPoll:
		return x.poll(ctx, gc, st.poll)
	}
	scope, summary, fail := x.observe(ctx, gc, st)
	if fail != "" {
		return fail
	}
	return x.judge(ctx, gc, st, scope, summary)
}

// observe runs a step that produces something to judge and returns its
// scope (the variables its expect sees), a summary for failure messages,
// or a failure of its own (no answer, a wrong status, a bad query).
func (x *executor) observe(ctx context.Context, gc *grading.C, st *step) (map[string]any, string, string) {
	switch st.kind {
	case stepHTTP:
		return x.http(ctx, gc, st.http)
	case stepSQL:
		return x.sql(ctx, gc, st.query)
	case stepStatements:
		return map[string]any{"statements": x.lastStatements}, fmt.Sprintf("%d statements", x.lastStatements), ""
	case stepConcurrent:
		return x.concurrent(ctx, gc, st.conc)
	case stepExec:
		return x.exec(ctx, gc, st.exec)
	}
	return nil, "", fmt.Sprintf("the grader cannot run a %s step here", st.kind)
}

// judge records the step's metrics (a figure is worth most when its check
// fails), evaluates its expect in order, then its captures.
func (x *executor) judge(ctx context.Context, gc *grading.C, st *step, scope map[string]any, summary string) string {
	for _, m := range st.metrics {
		v, err := x.r.eval(ctx, m.x, scope)
		if err != nil {
			return fmt.Sprintf("could not measure %s (%s): %s", m.name, m.x.src, evalReason(err))
		}
		n, _ := toNative(v)
		switch f := n.(type) {
		case int64:
			x.g.Metric(m.name, float64(f))
		case float64:
			x.g.Metric(m.name, f)
		case uint64:
			x.g.Metric(m.name, float64(f))
		}
	}
	for _, e := range st.expect {
		v, err := x.r.eval(ctx, e.x, scope)
		if err != nil {
			if e.message != "" {
				return e.message
			}
			return fmt.Sprintf("expected %s; it could not be evaluated (%s); got %s", e.x.src, evalReason(err), summary)
		}
		if ok, isBool := v.Value().(bool); isBool && ok {
			continue
		}
		if e.message != "" {
			return e.message
		}
		if e.x.left != nil {
			if lv, err := x.r.eval(ctx, e.x.left, scope); err == nil {
				if n, err := toNative(lv); err == nil {
					return fmt.Sprintf("expected %s; got %s", e.x.src, show(n))
				}
			}
		}
		return fmt.Sprintf("expected %s; got %s", e.x.src, summary)
	}
	for _, c := range st.capture {
		v, err := x.r.eval(ctx, c.x, scope)
		if err == nil {
			var n any
			if n, err = toNative(v); err == nil {
				x.r.capture(c.name, n)
				gc.Evidence("capture."+c.name, n)
				continue
			}
		}
		return fmt.Sprintf("could not capture %s (%s): %s; got %s", c.name, c.x.src, evalReason(err), summary)
	}
	return ""
}

// evalReason is an evaluation error without the expression it repeats.
func evalReason(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, ": "); ok {
		return after
	}
	return msg
}

func (x *executor) restart(ctx context.Context, release bool) string {
	restart := x.svc.Restart
	if !release {
		restart = x.svc.RestartWithoutRelease
	}
	if err := restart(ctx); err != nil {
		x.gone = notBackReason
		return "the service did not come back after a restart: " + err.Error()
	}
	return ""
}

// fresh starts the service again on a new, empty database; captures stay.
func (x *executor) fresh(ctx context.Context) string {
	svc, err := x.g.Start(ctx, x.start)
	if err != nil {
		x.gone = "not run: the service did not start again on an empty database"
		return "the service did not start on an empty database: " + err.Error()
	}
	x.svc = svc
	return ""
}

// poll repeats its step until the step passes, at most for within.
func (x *executor) poll(ctx context.Context, gc *grading.C, p *poll) string {
	deadline := time.Now().Add(p.within)
	tries := 0
	for {
		tries++
		msg := x.step(ctx, gc, p.step)
		if msg == "" || x.gone != "" {
			return msg
		}
		if time.Now().Add(p.every).After(deadline) {
			return fmt.Sprintf("still not so after %s (%d tries): %s", p.within, tries, msg)
		}
		select {
		case <-ctx.Done():
			return "the run was interrupted while polling: " + msg
		case <-time.After(p.every):
		}
	}
}

// sent is a rendered request.
type sent struct {
	method, path string
	header       http.Header
	body         []byte
}

// render renders a request for its i-th copy (0 outside a concurrent step).
func (x *executor) render(ctx context.Context, q *request, i int) (*sent, error) {
	vars := map[string]any{"i": int64(i)}
	p, err := q.path.renderString(ctx, x.r, vars)
	if err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	s := &sent{method: q.method, path: p, header: http.Header{"Accept": {"application/json"}}}
	switch {
	case q.json != nil:
		v, err := q.json.render(ctx, x.r, vars)
		if err != nil {
			return nil, fmt.Errorf("json body: %w", err)
		}
		if s.body, err = json.Marshal(v); err != nil {
			return nil, fmt.Errorf("json body: %w", err)
		}
		s.header.Set("Content-Type", "application/json")
	case q.text != nil:
		t, err := q.text.renderString(ctx, x.r, vars)
		if err != nil {
			return nil, fmt.Errorf("text body: %w", err)
		}
		s.body = []byte(t)
		s.header.Set("Content-Type", "text/plain; charset=utf-8")
	}
	hvars := map[string]any{"i": int64(i), "request_body": string(s.body)}
	for _, h := range q.headers {
		v, err := h.t.renderString(ctx, x.r, hvars)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", h.name, err)
		}
		s.header.Set(h.name, v)
	}
	return s, nil
}

// http sends one request; its scope is status, headers, body, text and
// duration_ms. A status outside the step's is its failure.
func (x *executor) http(ctx context.Context, gc *grading.C, q *request) (map[string]any, string, string) {
	s, err := x.render(ctx, q, 0)
	if err != nil {
		return nil, "", "the request could not be written: " + evalReason(err)
	}
	before := x.svc.Statements()
	resp, err := x.svc.Send(ctx, s.method, s.path, s.header, s.body)
	x.lastStatements = x.svc.Statements() - before
	gc.Keep(resp)
	line := s.method + " " + s.path
	if err != nil {
		return nil, "", err.Error()
	}
	summary := fmt.Sprintf("%d %s", resp.Status, cut(string(resp.Body), 120))
	if len(q.status) > 0 && !slices.Contains(q.status, resp.Status) {
		return nil, "", fmt.Sprintf("%s: expected status %s; got %s", line, statusWords(q.status), summary)
	}
	return responseScope(resp), line + ": " + summary, ""
}

func statusWords(s []int) string {
	words := make([]string, len(s))
	for i, v := range s {
		words[i] = fmt.Sprint(v)
	}
	return strings.Join(words, " or ")
}

// responseScope is what an http step's expect sees of the answer.
func responseScope(resp *grading.Response) map[string]any {
	headers := map[string]string{}
	for k, v := range resp.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	return map[string]any{"status": int64(resp.Status), "headers": headers, "body": parseJSON(resp.Body),
		"text": string(resp.Body), "duration_ms": resp.Exchange.DurationMS}
}

// parseJSON reads a body as JSON, nil when it is not; whole numbers become
// int64 so that body.id == 3 and templates print 3, not 3.0.
func parseJSON(b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil
	}
	return numbers(v)
}

func numbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = numbers(x)
		}
	case []any:
		for i, x := range v {
			v[i] = numbers(x)
		}
	}
	return v
}

// Bounds of an sql step.
const (
	sqlTimeout = 5 * time.Second
	maxSQLRows = 10_000
)

// sql runs a read-only query on the service's database; its scope is rows.
func (x *executor) sql(ctx context.Context, gc *grading.C, query string) (map[string]any, string, string) {
	gc.Evidence("query", query)
	rows, err := readOnlyQuery(ctx, x.svc.DB(), query)
	if err != nil {
		msg := fmt.Sprintf("the query %q failed: %v", cut(query, 80), err)
		if why := x.svc.NoTablesReason(ctx); why != "" {
			msg = why + "; " + msg
		}
		return nil, "", msg
	}
	gc.Evidence("rows", rows[:min(len(rows), 20)])
	list := make([]any, len(rows))
	for i, r := range rows {
		list[i] = r
	}
	return map[string]any{"rows": list}, "rows " + show(rows), ""
}

func readOnlyQuery(ctx context.Context, db *sql.DB, query string) ([]map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, sqlTimeout+time.Second)
	defer cancel()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", sqlTimeout.Milliseconds())); err != nil {
		return nil, err
	}
	rs, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for rs.Next() {
		if len(out) == maxSQLRows {
			return nil, fmt.Errorf("it returned more than %d rows", maxSQLRows)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			row[c] = sqlValue(vals[i])
		}
		out = append(out, row)
	}
	return out, rs.Err()
}

// sqlValue turns what the driver scanned into a value CEL and JSON take:
// text for bytes and numerics, RFC 3339 for times.
func sqlValue(v any) any {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case int32:
		return int64(v)
	case float32:
		return float64(v)
	}
	return v
}
