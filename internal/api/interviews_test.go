package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/interview"
	"github.com/assayhq/assay/internal/store"
)

// TestInterviewAPI: the bank filters, shipped questions are read-only and
// copied to edit, a kit keeps its order and total time, bad input is a
// clear 400, another organisation's questions are never listed, and an
// interviewer's scorecard is theirs alone.
func TestInterviewAPI(t *testing.T) {
	e := newEnv(t)
	rec, rev, adm := e.a.tokens[store.RoleRecruiter], e.a.tokens[store.RoleReviewer], e.a.tokens[store.RoleAdmin]

	var page struct{ Items []interview.Question }
	e.mustJSON(e.do("GET", "/api/v1/interview/questions?level=senior&kind=technical", rev, nil), 200, &page)
	if len(page.Items) == 0 {
		t.Fatal("no senior technical question")
	}
	for _, q := range page.Items {
		if q.Level != "senior" || q.Kind != "technical" || !q.Shipped {
			t.Errorf("filter let through %+v", q)
		}
	}
	for path, says := range map[string]string{
		"/api/v1/interview/questions?topic=astrology": "topic must be one of",
		"/api/v1/interview/questions?level=expert":    "level must be one of",
	} {
		if resp := e.do("GET", path, rev, nil); resp.StatusCode != 400 || !strings.Contains(errorBody(t, resp), says) {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}

	resp := e.do("PUT", "/api/v1/interview/questions/bank:n1-explain", rec, questionBody)
	if msg := errorBody(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(msg, "copy it") {
		t.Errorf("editing a shipped question: %d %q", resp.StatusCode, msg)
	}
	var copied interview.Question
	e.mustJSON(e.do("POST", "/api/v1/interview/questions/bank:n1-explain/copy", rec, nil), 201, &copied)
	if copied.Shipped || copied.Topic != "n_plus_one" || copied.ID == "bank:n1-explain" {
		t.Errorf("copy: %+v", copied)
	}
	bad := map[string]any{"level": "senior", "kind": "technical", "topic": "retries", "prompt": "", "strong_answer": []string{"x"}}
	if resp := e.do("POST", "/api/v1/interview/questions", rec, bad); resp.StatusCode != 400 || !strings.Contains(errorBody(t, resp), "prompt") {
		t.Errorf("empty prompt: %d", resp.StatusCode)
	}
	e.mustJSON(e.do("POST", "/api/v1/interview/questions", e.b.tokens[store.RoleAdmin], map[string]any{"level": "senior", "kind": "technical",
		"topic": "retries", "prompt": "Globex's secret question", "strong_answer": []string{"x"}}), 201, nil)
	e.mustJSON(e.do("GET", "/api/v1/interview/questions", rec, nil), 200, &page)
	for _, q := range page.Items {
		if strings.Contains(q.Prompt, "Globex") {
			t.Errorf("another organisation's question listed: %+v", q)
		}
	}

	var kit store.Kit
	e.mustJSON(e.do("PUT", "/api/v1/assessments/"+e.a.assessment+"/kit", rec, map[string]any{"items": []map[string]any{
		{"question_id": copied.ID, "minutes": 10}, {"question_id": "bank:retry-backoff", "minutes": 15}}}), 200, &kit)
	if kit.TotalMinutes != 25 || len(kit.Items) != 2 || kit.Items[0].Question.ID != copied.ID {
		t.Errorf("kit: %+v", kit)
	}
	for body, says := range map[string]string{
		`{"items":[{"question_id":"bank:retry-backoff","minutes":0}]}`:   "minutes must be from 1 to 120",
		`{"items":[{"question_id":"bank:nothing","minutes":5}]}`:         "no question bank:nothing",
		`{"items":[{"question_id":"bank:retry-backoff","minutes":"5"}]}`: "invalid JSON body",
	} {
		resp := e.do("PUT", "/api/v1/assessments/"+e.a.assessment+"/kit", rec, body)
		if msg := errorBody(t, resp); resp.StatusCode != 400 || !strings.Contains(msg, says) {
			t.Errorf("kit %s: %d %q", body, resp.StatusCode, msg)
		}
	}

	scores := func(rating int) map[string]any {
		return map[string]any{"scores": []map[string]any{{"question_id": "bank:retry-backoff", "prompt": "Retry policy?", "rating": rating, "note": "jitter"}}, "notes": "n"}
	}
	if resp := e.do("PUT", "/api/v1/submissions/"+e.a.submission+"/interviews/mine", rev, scores(5)); resp.StatusCode != 400 || !strings.Contains(errorBody(t, resp), "rating must be from 1 to 4") {
		t.Errorf("rating 5: %d", resp.StatusCode)
	}
	noPrompt := map[string]any{"scores": []map[string]any{{"question_id": "bank:retry-backoff", "rating": 3}}}
	if resp := e.do("PUT", "/api/v1/submissions/"+e.a.submission+"/interviews/mine", rev, noPrompt); resp.StatusCode != 400 || !strings.Contains(errorBody(t, resp), "prompt must be the question as asked") {
		t.Errorf("no prompt: %d", resp.StatusCode)
	}
	e.mustJSON(e.do("PUT", "/api/v1/submissions/"+e.a.submission+"/interviews/mine", rev, scores(3)), 200, nil)
	e.mustJSON(e.do("PUT", "/api/v1/submissions/"+e.a.submission+"/interviews/mine", adm, scores(4)), 200, nil)
	e.mustJSON(e.do("PUT", "/api/v1/submissions/"+e.a.submission+"/interviews/mine", rev, scores(2)), 200, nil)
	var ivs struct{ Items []store.Interview }
	e.mustJSON(e.do("GET", "/api/v1/submissions/"+e.a.submission+"/interviews", rec, nil), 200, &ivs)
	if len(ivs.Items) != 2 || ivs.Items[0].InterviewerEmail != "reviewer@acme.test" || ivs.Items[0].Scores[0].Rating != 2 || ivs.Items[1].Scores[0].Rating != 4 {
		t.Errorf("interviews: %+v", ivs.Items)
	}
}
