package greenhouse_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/api"
	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/greenhouse"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/outbox"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/assayhq/assay/internal/webhooks"
	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
)

var secret = []byte("test-secret-key-0123456789abcdef0123456789")

// fakeGreenhouse plays Greenhouse's side: it records the "mark test as
// completed" PATCHes it receives and answers each with the next status of
// answers (200 once they run out).
type fakeGreenhouse struct {
	mu      sync.Mutex
	patches []*http.Request
	answers []int
}

func (g *fakeGreenhouse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.patches = append(g.patches, r.Clone(context.Background()))
	status := http.StatusOK
	if len(g.answers) > 0 {
		status, g.answers = g.answers[0], g.answers[1:]
	}
	g.mu.Unlock()
	w.WriteHeader(status)
	if status >= 300 {
		io.WriteString(w, `{"errors":["Candidate has been hired"]}`+"\nsecond line")
	}
}

func (g *fakeGreenhouse) received() []*http.Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*http.Request(nil), g.patches...)
}

// harness is Assay (API and worker side) with one organisation, its admin,
// an assessment, the organisation's Greenhouse key, and a fake Greenhouse.
type harness struct {
	t        *testing.T
	db       *storetest.DB
	st       *store.Store
	as       store.Assessment
	assay    *httptest.Server
	gh       *fakeGreenhouse
	ghURL    string
	key      string
	adminTok string
}

func newHarness(t *testing.T, maxSubmissions int, answers ...int) *harness {
	db := storetest.New(t)
	// Cleanups run last first: the relay stops before the database closes.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &harness{t: t, db: db, st: db.Store, gh: &fakeGreenhouse{answers: answers}}
	admin := store.User{Email: "admin@acme.test", Role: store.RoleAdmin, PasswordHash: "x"}
	if err := h.st.CreateUser(ctx, db.Actor, &admin); err != nil {
		t.Fatal(err)
	}
	h.as = store.Assessment{Takehome: "planets-crud", SuiteVersion: "1", Title: "Planets backend", HoursAllowed: 72,
		MaxSubmissions: maxSubmissions, CandidateView: store.ViewTotal}
	if err := h.st.CreateAssessment(ctx, db.Actor, &h.as); err != nil {
		t.Fatal(err)
	}

	gin.SetMode(gin.TestMode)
	r := gin.New()
	tokens := auth.NewTokens(secret)
	err := api.Register(r, api.Deps{Store: h.st, Tokens: tokens, Throttle: auth.NewThrottle(testenv.NewRedisClient(t), "test", auth.DefaultLimits),
		Intake: intake.Policy{Hosts: []string{"github.com"}, AllowLoopback: true}, BaseURL: "https://assay.example", SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	h.assay = httptest.NewServer(r)
	t.Cleanup(h.assay.Close)
	ghSrv := httptest.NewServer(h.gh)
	t.Cleanup(ghSrv.Close)
	h.ghURL = ghSrv.URL

	// The worker side: outbox relay and webhook delivery with the
	// Greenhouse callback, retrying quickly.
	redisURL, _ := testenv.NewRedisDB(t)
	ropt, _ := asynq.ParseRedisURI(redisURL)
	client := asynq.NewClient(ropt)
	t.Cleanup(func() { client.Close() })
	go (&outbox.Relay{Store: h.st, Client: client, Interval: 10 * time.Millisecond}).Run(ctx)
	partner := &greenhouse.Partner{Store: h.st, BaseURL: "https://assay.example", SecretKey: secret, AllowLoopback: true}
	sender := &webhooks.Sender{Store: h.st, BaseURL: "https://assay.example", AllowLoopback: true,
		Client:    webhooks.NewClient(webhooks.ClientConfig{AllowLoopback: true}),
		Callbacks: map[string]webhooks.Callback{store.CallbackGreenhouse: partner.CompletionRequest},
		Schedule:  []time.Duration{50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond}}
	srv := asynq.NewServer(ropt, asynq.Config{Concurrency: 2, Queues: map[string]int{tasks.QueueWebhooks: 1},
		TaskCheckInterval: 10 * time.Millisecond, DelayedTaskCheckInterval: 50 * time.Millisecond,
		RetryDelayFunc: func(n int, err error, _ *asynq.Task) time.Duration { return sender.RetryDelay(n, err) },
		LogLevel:       asynq.FatalLevel})
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.DeliverWebhook, sender.HandleTask)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)

	// An admin makes the organisation's key (shown once) for Greenhouse.
	issued, err := auth.NewSessions(h.st, tokens, nil).Start(ctx, &admin)
	if err != nil {
		t.Fatal(err)
	}
	h.adminTok = issued.Token
	var made struct {
		APIKey    string            `json:"api_key"`
		Endpoints map[string]string `json:"endpoints"`
	}
	if code := h.staff("POST", "/api/v1/greenhouse/key", &made); code != 201 || made.APIKey == "" || len(made.APIKey) >= 171 ||
		made.Endpoints["send_test"] != "https://assay.example/api/v1/greenhouse/send_test" {
		t.Fatalf("key: status %d %+v", code, made)
	}
	h.key = made.APIKey
	return h
}

// staff makes a call as the organisation's admin.
func (h *harness) staff(method, path string, out any) int {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.assay.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+h.adminTok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// call makes one Greenhouse request as the documentation describes: the
// API key as the Basic username, an empty password. A string body is sent
// as is.
func call(t *testing.T, method, url, key string, body any, out any) (int, string) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key+":")))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %s: %v", method, url, raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

func (h *harness) greenhouse(method, endpoint string, body, out any) (int, string) {
	h.t.Helper()
	return call(h.t, method, h.assay.URL+"/api/v1/greenhouse/"+endpoint, h.key, body, out)
}

// sendBody is a send_test body as Greenhouse's documentation shows it.
func (h *harness) sendBody(callbackPath string) map[string]any {
	return map[string]any{
		"partner_test_id": h.as.ID,
		"candidate": map[string]any{
			"first_name": "Harry", "last_name": "Potter", "resume_url": nil, "phone_number": "123-456-7890",
			"email": "hpotter@hogwarts.edu", "greenhouse_profile_url": "https://app.greenhouse.io/people/17681532?application_id=26234709",
		},
		"url":        h.ghURL + callbackPath,
		"future_key": "Greenhouse may add properties",
	}
}

// sendTest sends a test and returns the interview id and the candidate's
// invite token from the mail.
func (h *harness) sendTest(callbackPath string) (interview, token string) {
	h.t.Helper()
	var sent map[string]string
	if code, body := h.greenhouse("POST", "send_test", h.sendBody(callbackPath), &sent); code != 200 || sent["partner_interview_id"] == "" {
		h.t.Fatalf("send_test: %d %s", code, body)
	}
	mails, _, err := h.st.MailOutbox(context.Background(), h.db.Org.ID, store.Page{})
	if err != nil || len(mails) == 0 || mails[0].ToAddr != "hpotter@hogwarts.edu" {
		h.t.Fatalf("mails %+v %v", mails, err)
	}
	m := regexp.MustCompile(`/c/([A-Za-z0-9_-]{43})`).FindStringSubmatch(mails[0].TextBody)
	if m == nil {
		h.t.Fatalf("no invite link in %q", mails[0].TextBody)
	}
	return sent["partner_interview_id"], m[1]
}

// submit submits as the candidate through the candidate API.
func (h *harness) submit(token string, final bool) string {
	h.t.Helper()
	raw, _ := json.Marshal(map[string]any{"repo_url": "https://github.com/hpotter/planets", "final": final})
	req, _ := http.NewRequest("POST", h.assay.URL+"/api/v1/candidate/submissions", bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var sub struct {
		ID string `json:"id"`
	}
	json.NewDecoder(resp.Body).Decode(&sub)
	if resp.StatusCode != http.StatusAccepted || sub.ID == "" {
		h.t.Fatalf("candidate submit: %d", resp.StatusCode)
	}
	return sub.ID
}

// finish grades a submission through the pipeline's own store calls.
func (h *harness) finish(subID, status string, score int) {
	h.t.Helper()
	ctx := context.Background()
	if _, err := h.st.ClaimSubmission(ctx, subID, "greenhouse-test", time.Minute); err != nil {
		h.t.Fatal(err)
	}
	card, _ := json.Marshal(map[string]any{"status": status, "score": score, "max_score": 100,
		"categories": []map[string]any{{"name": "correctness", "score": 50, "max_score": 55}, {"name": "quality", "score": score - 50, "max_score": 45}}})
	res := store.GradeResult{Status: status, Score: score, MaxScore: 100, CommitSHA: "abc123", Takehome: "planets-crud", SuiteVersion: "1", Scorecard: card}
	if status == store.StatusError {
		res = store.GradeResult{Status: status, Message: "the sandbox could not start"}
	}
	if err := h.st.FinishGrading(ctx, subID, "greenhouse-test", res); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) status(interview string) map[string]any {
	h.t.Helper()
	var st map[string]any
	if code, body := h.greenhouse("GET", "test_status?partner_interview_id="+interview, nil, &st); code != 200 {
		h.t.Fatalf("test_status: %d %s", code, body)
	}
	return st
}

// waitPatches waits for n completion PATCHes, then checks that no more come.
func (h *harness) waitPatches(n int) []*http.Request {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(h.gh.received()) < n {
		if time.Now().After(deadline) {
			h.t.Fatalf("Greenhouse got %d completion PATCHes, want %d", len(h.gh.received()), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // the relay and the queue poll every 10 ms: anything extra would be here
	if got := h.gh.received(); len(got) != n {
		h.t.Fatalf("Greenhouse got %d completion PATCHes, want %d", len(got), n)
	}
	return h.gh.received()
}

// callbacks waits until the latest completion call has left pending.
func (h *harness) callbacks() []store.WebhookDelivery {
	h.t.Helper()
	var cbs struct {
		Items []store.WebhookDelivery `json:"items"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(cbs.Items) == 0 || cbs.Items[0].State == store.DeliveryPending {
		if time.Now().After(deadline) {
			h.t.Fatalf("callback deliveries %+v", cbs.Items)
		}
		time.Sleep(20 * time.Millisecond)
		h.staff("GET", "/api/v1/greenhouse/callbacks", &cbs)
	}
	return cbs.Items
}

// TestGreenhouseFlowEndToEnd plays Greenhouse from its Assessment API
// documentation: list tests, send one, the candidate opens and submits;
// a build failure on attempt 1 of 2 leaves the test in progress with no
// PATCH; the graded last attempt sends one completion PATCH with the
// organisation's key, and test_status reports complete with the score.
func TestGreenhouseFlowEndToEnd(t *testing.T) {
	h := newHarness(t, 2)
	ctx := context.Background()
	if code, _ := call(t, "GET", h.assay.URL+"/api/v1/greenhouse/list_tests", "wrong-key", nil, nil); code != 401 {
		t.Fatalf("unknown key: status %d, want 401", code)
	}
	var tests []map[string]string
	if code, _ := h.greenhouse("GET", "list_tests", nil, &tests); code != 200 || len(tests) != 1 ||
		tests[0]["partner_test_id"] != h.as.ID || tests[0]["partner_test_name"] != "Planets backend" {
		t.Fatalf("list_tests: %d %v", code, tests)
	}

	interview, token := h.sendTest("/integrations/testing_partners/take_home_tests/12345")
	if st := h.status(interview); st["partner_status"] != "pending" || st["partner_profile_url"] != nil {
		t.Fatalf("test_status before: %v", st)
	}
	if _, err := h.st.OpenInvitation(ctx, token); err != nil {
		t.Fatal(err)
	}
	if st := h.status(interview); st["partner_status"] != "in_progress" {
		t.Fatalf("test_status after opening: %v", st)
	}

	// Attempt 1 of 2 fails to build: not the candidate's result yet.
	first := h.submit(token, false)
	h.finish(first, store.StatusBuildFailed, 0)
	if st := h.status(interview); st["partner_status"] != "in_progress" || st["partner_score"] != nil {
		t.Fatalf("test_status after a build failure with an attempt left: %v", st)
	}
	// The last attempt is graded: one PATCH.
	second := h.submit(token, false)
	h.finish(second, store.StatusGraded, 87)
	p := h.waitPatches(1)[0]
	if user, pass, ok := p.BasicAuth(); p.Method != http.MethodPatch || p.URL.Path != "/integrations/testing_partners/take_home_tests/12345" ||
		!ok || user != h.key || pass != "" {
		t.Fatalf("callback %s %s, basic auth ok=%v user matches=%v", p.Method, p.URL.Path, ok, user == h.key)
	}
	if cbs := h.callbacks(); len(cbs) != 1 || cbs[0].State != store.DeliverySucceeded || len(cbs[0].AttemptLog) != 1 ||
		cbs[0].EventType != store.EventPartnerTestCompleted {
		t.Fatalf("callback deliveries %+v", cbs)
	}

	st := h.status(interview)
	meta, _ := st["metadata"].(map[string]any)
	if st["partner_status"] != "complete" || st["partner_score"] != 87.0 ||
		st["partner_profile_url"] != "https://assay.example/submissions/"+second ||
		meta["Correctness"] != "50/55" || meta["Score"] != "87/100" || meta["Attempt"] != 2.0 {
		t.Fatalf("test_status after grading: %v", st)
	}
	if _, ok := meta["Interviews"]; ok {
		t.Fatalf("interviews reported before any: %v", meta)
	}
	// Two interviewers score the follow-up interview: Greenhouse reads the
	// summary beside the take-home's result.
	for i, rating := range []int{3, 4} {
		u := store.User{Email: fmt.Sprintf("interviewer%d@acme.test", i), Role: store.RoleReviewer, PasswordHash: "x"}
		if err := h.st.CreateUser(ctx, h.db.Actor, &u); err != nil {
			t.Fatal(err)
		}
		_, err := h.st.SaveInterview(ctx, store.Actor{OrgID: h.db.Org.ID, UserID: u.ID, Label: u.Email}, u.Email, second,
			[]store.InterviewScore{{QuestionID: "bank:q1", Prompt: "Why bigint?", Rating: rating}}, "")
		if err != nil {
			t.Fatal(err)
		}
	}
	meta, _ = h.status(interview)["metadata"].(map[string]any)
	if meta["Interviews"] != 2.0 || meta["Interview Rating (1-4)"] != 3.5 {
		t.Fatalf("interview summary in test_status: %v", meta)
	}
	for k, v := range meta {
		switch v.(type) {
		case map[string]any, []any:
			t.Fatalf("metadata %q is nested; Greenhouse wants primitives", k)
		}
	}
	// A regrade of the last attempt does not tell Greenhouse again.
	if _, err := h.st.RequestRegrade(ctx, h.db.Actor, second); err != nil {
		t.Fatal(err)
	}
	h.finish(second, store.StatusGraded, 90)
	h.waitPatches(1)

	if code, _ := h.greenhouse("GET", "test_status?partner_interview_id=00000000-0000-0000-0000-000000000000", nil, nil); code != 404 {
		t.Fatalf("unknown interview: %d", code)
	}
	if code, _ := h.greenhouse("POST", "response_error", map[string]any{"api_call": "test_status", "errors": []string{"x"}}, nil); code != 200 {
		t.Fatalf("response_error: %d", code)
	}
}

// TestGreenhouseCompletesOnFinalSubmissionOnly: a candidate who says "this
// is my final submission" is done after attempt 1 of 3, unless that
// submission ended in error (the platform's fault); then they may submit
// again and no PATCH is sent until a result is theirs.
func TestGreenhouseCompletesOnFinalSubmissionOnly(t *testing.T) {
	h := newHarness(t, 3)
	interview, token := h.sendTest("/tests/final")

	broken := h.submit(token, true)
	h.finish(broken, store.StatusError, 0)
	time.Sleep(300 * time.Millisecond)
	if n := len(h.gh.received()); n != 0 {
		t.Fatalf("a platform error sent %d PATCHes", n)
	}
	if st := h.status(interview); st["partner_status"] != "in_progress" {
		t.Fatalf("test_status after a platform error: %v", st)
	}

	final := h.submit(token, true)
	h.finish(final, store.StatusBuildFailed, 0)
	h.waitPatches(1)
	if st := h.status(interview); st["partner_status"] != "complete" || st["partner_score"] != 0.0 {
		t.Fatalf("test_status after the final submission: %v", st)
	}
	// The candidate said it was final: no more attempts.
	if _, err := h.st.Submit(context.Background(), token, "https://github.com/hpotter/planets", ""); err == nil {
		t.Fatal("a submission after the final one was accepted")
	}
}

// TestGreenhouseCompletesAtTheDeadline: a candidate who ran out of time with
// attempts left is done; the worker's sweep sends the PATCH once.
func TestGreenhouseCompletesAtTheDeadline(t *testing.T) {
	h := newHarness(t, 3)
	ctx := context.Background()
	interview, token := h.sendTest("/tests/deadline")
	sub := h.submit(token, false)
	h.finish(sub, store.StatusGraded, 70)
	if n, err := h.st.CompleteExpiredPartnerTests(ctx); err != nil || n != 0 {
		t.Fatalf("sweep before the deadline: %d %v", n, err)
	}
	conn, err := pgx.Connect(ctx, h.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, interview); err != nil {
		t.Fatal(err)
	}
	if n, err := h.st.CompleteExpiredPartnerTests(ctx); err != nil || n != 1 {
		t.Fatalf("sweep after the deadline: %d %v", n, err)
	}
	if n, err := h.st.CompleteExpiredPartnerTests(ctx); err != nil || n != 0 {
		t.Fatalf("second sweep: %d %v", n, err)
	}
	h.waitPatches(1)
	if st := h.status(interview); st["partner_status"] != "complete" || st["partner_score"] != 70.0 {
		t.Fatalf("test_status after the deadline: %v", st)
	}
}

// TestGreenhouseRefusalIsNotRetried: Greenhouse answering 4xx (it refuses
// updates for hired candidates) ends the delivery at once, its status and
// answer in the log; 503 and 429 are retried until Greenhouse takes it.
func TestGreenhouseRefusalIsNotRetried(t *testing.T) {
	for _, tc := range []struct {
		name      string
		answers   []int
		wantState string
		wantCalls int
	}{
		{"422 refused", []int{422}, store.DeliveryFailed, 1},
		{"503 then 429 then accepted", []int{503, 429}, store.DeliverySucceeded, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 1, tc.answers...)
			_, token := h.sendTest("/tests/retry")
			h.finish(h.submit(token, false), store.StatusGraded, 80)
			h.waitPatches(tc.wantCalls)
			cbs := h.callbacks()
			if len(cbs) != 1 || cbs[0].State != tc.wantState || len(cbs[0].AttemptLog) != tc.wantCalls {
				t.Fatalf("deliveries %+v", cbs)
			}
			if first := cbs[0].AttemptLog[0]; first.StatusCode == nil || *first.StatusCode != tc.answers[0] ||
				!strings.HasPrefix(first.Response, `{"errors":["Candidate has been hired"]}`) {
				t.Fatalf("first attempt %+v", first)
			}
		})
	}
}

// TestGreenhouseSendTestRefusesBadRequests: url is required, both names
// are, the body is one JSON object; errors are {"error": ...} in words,
// never a Go type name; and a repeated send_test invites once.
func TestGreenhouseSendTestRefusesBadRequests(t *testing.T) {
	h := newHarness(t, 2)
	ctx := context.Background()
	without := func(mutate func(b map[string]any)) map[string]any {
		b := h.sendBody("/tests/x")
		cand := map[string]any{}
		for k, v := range b["candidate"].(map[string]any) {
			cand[k] = v
		}
		b["candidate"] = cand
		mutate(b)
		return b
	}
	for _, tc := range []struct {
		name string
		body any
		want string
	}{
		{"no url", without(func(b map[string]any) { delete(b, "url") }), "url is required"},
		{"no last_name", without(func(b map[string]any) { delete(b["candidate"].(map[string]any), "last_name") }), "last_name are both required"},
		{"blank first_name", without(func(b map[string]any) { b["candidate"].(map[string]any)["first_name"] = "  " }), "first_name and candidate.last_name"},
		{"bad email", without(func(b map[string]any) { b["candidate"].(map[string]any)["email"] = "harry" }), "candidate.email must be an address"},
		{"a JSON array", `[{"partner_test_id": 1}]`, "must be a JSON object, not an array"},
		{"candidate not an object", without(func(b map[string]any) { b["candidate"] = "Harry" }), "candidate must be an object, not a string"},
		{"partner_test_id an object", without(func(b map[string]any) { b["partner_test_id"] = map[string]any{} }), "partner_test_id must be a string or a number"},
		{"trailing data", `{"partner_test_id": "x"} {"again": true}`, "trailing data"},
		{"empty body", ``, "must be a JSON object"},
	} {
		code, body := h.greenhouse("POST", "send_test", tc.body, nil)
		var e map[string]string
		if json.Unmarshal([]byte(body), &e); code != 400 || !strings.Contains(e["error"], tc.want) ||
			strings.Contains(body, "greenhouse.") || strings.Contains(body, "Go ") {
			t.Errorf("%s: %d %s, want 400 with %q", tc.name, code, body, tc.want)
		}
	}
	if n := countInvitations(t, h); n != 0 {
		t.Fatalf("refused calls made %d invitations", n)
	}

	// The same call twice: one invitation, one mail, the same id.
	var a, b map[string]string
	h.greenhouse("POST", "send_test", h.sendBody("/tests/same"), &a)
	h.greenhouse("POST", "send_test", h.sendBody("/tests/same"), &b)
	if a["partner_interview_id"] == "" || a["partner_interview_id"] != b["partner_interview_id"] || countInvitations(t, h) != 1 {
		t.Fatalf("repeated send_test: %v %v, %d invitations", a, b, countInvitations(t, h))
	}
	mails, _, _ := h.st.MailOutbox(ctx, h.db.Org.ID, store.Page{})
	if len(mails) != 1 {
		t.Fatalf("%d invitation mails, want 1", len(mails))
	}
	// The same url for another candidate is a conflict, not a silent reuse.
	other := h.sendBody("/tests/same")
	other["candidate"] = map[string]any{"first_name": "Ron", "last_name": "Weasley", "email": "ron@hogwarts.edu"}
	if code, body := h.greenhouse("POST", "send_test", other, nil); code != 409 || !strings.Contains(body, "already sent") {
		t.Fatalf("the same url for another candidate: %d %s", code, body)
	}
}

func countInvitations(t *testing.T, h *harness) int {
	t.Helper()
	rows, _, err := h.st.Invitations(context.Background(), h.db.Org.ID, store.InvitationFilter{}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

// TestGreenhouseKeyNeedsHTTPSInProduction: Greenhouse calls partners over
// HTTPS only, so a production Assay on http:// refuses to make a key and
// says why; the endpoints handed out follow ASSAY_BASE_URL.
func TestGreenhouseKeyNeedsHTTPSInProduction(t *testing.T) {
	db := storetest.New(t)
	admin := store.User{Email: "admin@acme.test", Role: store.RoleAdmin, PasswordHash: "x"}
	if err := db.Store.CreateUser(context.Background(), db.Actor, &admin); err != nil {
		t.Fatal(err)
	}
	tokens := auth.NewTokens(secret)
	issued, err := auth.NewSessions(db.Store, tokens, nil).Start(context.Background(), &admin)
	if err != nil {
		t.Fatal(err)
	}
	tok := issued.Token
	for _, tc := range []struct {
		base string
		want int
	}{{"http://assay.internal:8080", 409}, {"https://assay.example.org", 201}} {
		gin.SetMode(gin.TestMode)
		r := gin.New()
		if err := api.Register(r, api.Deps{Store: db.Store, Tokens: tokens, Throttle: auth.NewThrottle(testenv.NewRedisClient(t), "test", auth.DefaultLimits),
			BaseURL: tc.base, SecretKey: secret, Production: true}); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/api/v1/greenhouse/key", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		r.ServeHTTP(rec, req)
		var out struct {
			Error     string            `json:"error"`
			APIKey    string            `json:"api_key"`
			Endpoints map[string]string `json:"endpoints"`
		}
		json.Unmarshal(rec.Body.Bytes(), &out)
		switch {
		case rec.Code != tc.want:
			t.Errorf("%s: %d %s, want %d", tc.base, rec.Code, rec.Body, tc.want)
		case tc.want == 409 && (out.APIKey != "" || !strings.Contains(out.Error, "ASSAY_BASE_URL") || !strings.Contains(out.Error, "HTTPS only")):
			t.Errorf("%s: %s", tc.base, rec.Body)
		case tc.want == 201 && out.Endpoints["test_status"] != tc.base+"/api/v1/greenhouse/test_status":
			t.Errorf("%s: endpoints %v", tc.base, out.Endpoints)
		}
	}
}
