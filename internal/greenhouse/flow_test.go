package greenhouse_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
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
)

var secret = []byte("test-secret-key-0123456789abcdef0123456789")

// fakeGreenhouse plays Greenhouse's side: it records the "mark test as
// completed" PATCHes it receives.
type fakeGreenhouse struct {
	mu      sync.Mutex
	patches []*http.Request
}

func (g *fakeGreenhouse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.patches = append(g.patches, r.Clone(context.Background()))
	g.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (g *fakeGreenhouse) received() []*http.Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*http.Request(nil), g.patches...)
}

// call makes one Greenhouse request as the documentation describes: the
// API key as the Basic username, an empty password.
func call(t *testing.T, method, url, key string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
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
	return resp.StatusCode
}

// TestGreenhouseFlowEndToEnd plays Greenhouse from its Assessment API
// documentation: list tests, send one, the candidate opens and submits,
// grading completes, the completion PATCH arrives with the organisation's
// key, and test_status reports complete with the score and a link.
func TestGreenhouseFlowEndToEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storetest.New(t)
	st, org := db.Store, db.Org
	admin := store.User{Email: "admin@acme.test", Role: store.RoleAdmin, PasswordHash: "x"}
	if err := st.CreateUser(ctx, db.Actor, &admin); err != nil {
		t.Fatal(err)
	}
	as := store.Assessment{Takehome: "planets-crud", SuiteVersion: "1", Title: "Planets backend", HoursAllowed: 72,
		MaxSubmissions: 2, CandidateView: store.ViewTotal}
	if err := st.CreateAssessment(ctx, db.Actor, &as); err != nil {
		t.Fatal(err)
	}

	gin.SetMode(gin.TestMode)
	r := gin.New()
	tokens := auth.NewTokens(secret)
	err := api.Register(r, api.Deps{Store: st, Tokens: tokens, Throttle: auth.NewThrottle(testenv.NewRedisClient(t), "test", auth.DefaultLimits),
		Intake: intake.Policy{Hosts: []string{"github.com"}, AllowLoopback: true}, BaseURL: "https://assay.example", SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	assay := httptest.NewServer(r)
	t.Cleanup(assay.Close)
	gh := &fakeGreenhouse{}
	ghSrv := httptest.NewServer(gh)
	t.Cleanup(ghSrv.Close)

	// The worker side: outbox relay and webhook delivery with the
	// Greenhouse callback.
	redisURL, _ := testenv.NewRedisDB(t)
	ropt, _ := asynq.ParseRedisURI(redisURL)
	client := asynq.NewClient(ropt)
	t.Cleanup(func() { client.Close() })
	go (&outbox.Relay{Store: st, Client: client, Interval: 10 * time.Millisecond}).Run(ctx)
	partner := &greenhouse.Partner{Store: st, BaseURL: "https://assay.example", SecretKey: secret, AllowLoopback: true}
	sender := &webhooks.Sender{Store: st, BaseURL: "https://assay.example", AllowLoopback: true,
		Client:    webhooks.NewClient(webhooks.ClientConfig{AllowLoopback: true}),
		Callbacks: map[string]webhooks.Callback{store.CallbackGreenhouse: partner.CompletionRequest}}
	srv := asynq.NewServer(ropt, asynq.Config{Concurrency: 2, Queues: map[string]int{tasks.QueueWebhooks: 1},
		TaskCheckInterval: 10 * time.Millisecond, LogLevel: asynq.FatalLevel})
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.DeliverWebhook, sender.HandleTask)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)

	// An admin makes the organisation's key (shown once) for Greenhouse.
	issued, err := auth.NewSessions(st, tokens, nil).Start(ctx, &admin)
	if err != nil {
		t.Fatal(err)
	}
	tok := issued.Token
	req, _ := http.NewRequest("POST", assay.URL+"/api/v1/greenhouse/key", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var made struct {
		APIKey string `json:"api_key"`
	}
	json.NewDecoder(resp.Body).Decode(&made)
	resp.Body.Close()
	if resp.StatusCode != 201 || made.APIKey == "" || len(made.APIKey) >= 171 {
		t.Fatalf("key: status %d %+v", resp.StatusCode, made)
	}
	base := assay.URL + "/api/v1/greenhouse/"
	key := made.APIKey

	if code := call(t, "GET", base+"list_tests", "wrong-key", nil, nil); code != 401 {
		t.Fatalf("unknown key: status %d, want 401", code)
	}
	var tests []map[string]string
	if code := call(t, "GET", base+"list_tests", key, nil, &tests); code != 200 || len(tests) != 1 ||
		tests[0]["partner_test_id"] != as.ID || tests[0]["partner_test_name"] != "Planets backend" {
		t.Fatalf("list_tests: %d %v", code, tests)
	}

	callback := ghSrv.URL + "/integrations/testing_partners/take_home_tests/12345"
	sendBody := map[string]any{
		"partner_test_id": as.ID,
		"candidate": map[string]any{
			"first_name": "Harry", "last_name": "Potter", "resume_url": nil, "phone_number": "123-456-7890",
			"email": "hpotter@hogwarts.edu", "greenhouse_profile_url": "https://app.greenhouse.io/people/17681532?application_id=26234709",
		},
		"url":        callback,
		"future_key": "Greenhouse may add properties",
	}
	var sent map[string]string
	if code := call(t, "POST", base+"send_test", key, sendBody, &sent); code != 200 || sent["partner_interview_id"] == "" {
		t.Fatalf("send_test: %d %v", code, sent)
	}
	interview := sent["partner_interview_id"]
	var again map[string]string
	if code := call(t, "POST", base+"send_test", key, sendBody, &again); code != 200 || again["partner_interview_id"] != interview {
		t.Fatalf("repeated send_test: %d %v, want the same id %s", code, again, interview)
	}

	var status map[string]any
	if code := call(t, "GET", base+"test_status?partner_interview_id="+interview, key, nil, &status); code != 200 ||
		status["partner_status"] != "pending" || status["partner_profile_url"] != nil {
		t.Fatalf("test_status before: %d %v", code, status)
	}

	// The candidate gets the mail with the link, opens it and submits.
	mails, _, err := st.MailOutbox(ctx, org.ID, store.Page{})
	if err != nil || len(mails) != 1 || mails[0].ToAddr != "hpotter@hogwarts.edu" {
		t.Fatalf("mails %+v %v", mails, err)
	}
	m := regexp.MustCompile(`/c/([A-Za-z0-9_-]{43})`).FindStringSubmatch(mails[0].TextBody)
	if m == nil {
		t.Fatalf("no invite link in %q", mails[0].TextBody)
	}
	if _, err := st.OpenInvitation(ctx, m[1]); err != nil {
		t.Fatal(err)
	}
	call(t, "GET", base+"test_status?partner_interview_id="+interview, key, nil, &status)
	if status["partner_status"] != "in_progress" {
		t.Fatalf("test_status after opening: %v", status)
	}
	sub, err := st.Submit(ctx, m[1], "https://github.com/hpotter/planets", "")
	if err != nil {
		t.Fatal(err)
	}

	// Grading completes through the pipeline's own store calls.
	if _, err := st.ClaimSubmission(ctx, sub.ID, "greenhouse-test", time.Minute); err != nil {
		t.Fatal(err)
	}
	card, _ := json.Marshal(map[string]any{"status": "graded", "score": 87, "max_score": 100,
		"categories": []map[string]any{{"name": "correctness", "score": 50, "max_score": 55}, {"name": "quality", "score": 37, "max_score": 45}}})
	if err := st.FinishGrading(ctx, sub.ID, "greenhouse-test", store.GradeResult{Status: store.StatusGraded, Score: 87, MaxScore: 100,
		CommitSHA: "abc123", Takehome: "planets-crud", SuiteVersion: "1", Scorecard: card}); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(20 * time.Second)
	for len(gh.received()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Greenhouse never got the completion PATCH")
		}
		time.Sleep(20 * time.Millisecond)
	}
	p := gh.received()[0]
	if user, pass, ok := p.BasicAuth(); p.Method != http.MethodPatch || p.URL.Path != "/integrations/testing_partners/take_home_tests/12345" ||
		!ok || user != key || pass != "" {
		t.Fatalf("callback %s %s, basic auth ok=%v user matches=%v", p.Method, p.URL.Path, ok, user == key)
	}

	// The organisation's admins see the callback and its attempt.
	req, _ = http.NewRequest("GET", assay.URL+"/api/v1/greenhouse/callbacks", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	var callbacks struct {
		Items []store.WebhookDelivery `json:"items"`
	}
	deadline = time.Now().Add(10 * time.Second)
	for len(callbacks.Items) == 0 || callbacks.Items[0].State != store.DeliverySucceeded {
		if time.Now().After(deadline) {
			t.Fatalf("callback deliveries %+v", callbacks.Items)
		}
		time.Sleep(20 * time.Millisecond)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&callbacks)
		resp.Body.Close()
	}
	if len(callbacks.Items) != 1 || len(callbacks.Items[0].AttemptLog) != 1 || callbacks.Items[0].EventType != store.EventSubmissionGraded {
		t.Fatalf("callback deliveries %+v", callbacks.Items)
	}

	// Greenhouse then asks test_status.
	status = nil
	if code := call(t, "GET", base+"test_status?partner_interview_id="+interview, key, nil, &status); code != 200 {
		t.Fatalf("test_status: %d", code)
	}
	meta, _ := status["metadata"].(map[string]any)
	if status["partner_status"] != "complete" || status["partner_score"] != 87.0 ||
		status["partner_profile_url"] != "https://assay.example/submissions/"+sub.ID ||
		meta["Correctness"] != "50/55" || meta["Score"] != "87/100" {
		t.Fatalf("test_status after grading: %v", status)
	}
	for k, v := range meta {
		switch v.(type) {
		case map[string]any, []any:
			t.Fatalf("metadata %q is nested; Greenhouse wants primitives", k)
		}
	}
	if code := call(t, "GET", base+"test_status?partner_interview_id=00000000-0000-0000-0000-000000000000", key, nil, nil); code != 404 {
		t.Fatalf("unknown interview: %d", code)
	}
	if code := call(t, "POST", base+"response_error", key, map[string]any{"api_call": "test_status", "errors": []string{"x"}}, nil); code != 200 {
		t.Fatalf("response_error: %d", code)
	}
}
