package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/api"
	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/go-redis/redis_rate/v10"
)

// login signs in through the API as if from the address in
// X-Forwarded-For ("" sends no header).
func (e *env) login(email, pw, forwardedFor string) *http.Response {
	e.t.Helper()
	raw, _ := json.Marshal(map[string]any{"email": email, "password": pw})
	req, _ := http.NewRequest("POST", e.url+"/api/v1/auth/login", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

func behindProxy(d *api.Deps) { d.TrustedProxies = []string{"127.0.0.1/32"} }

// hourly gives the env a throttle whose buckets refill once an hour, so a
// slow machine cannot refill one during a test.
func hourly(t *testing.T, pairBurst, addrBurst int) func(*api.Deps) {
	return func(d *api.Deps) {
		l := auth.DefaultLimits
		l.Pair = redis_rate.Limit{Rate: 1, Period: time.Hour, Burst: pairBurst}
		l.Address = redis_rate.Limit{Rate: 1, Period: time.Hour, Burst: addrBurst}
		d.Throttle = auth.NewThrottle(testenv.NewRedisClient(t), "test", l)
	}
}

// A new X-Forwarded-For per try from an untrusted peer buys no new
// attempts: spraying many accounts from one connection is throttled.
func TestForwardedForFromUntrustedPeerIsIgnored(t *testing.T) {
	const limit = 3
	e := newEnv(t, hourly(t, 5, limit))
	for i := 0; i <= limit; i++ {
		resp := e.login(fmt.Sprintf("user%d@acme.test", i), "wrong password!", fmt.Sprintf("203.0.113.%d", i+1))
		want := http.StatusUnauthorized
		if i == limit {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want {
			t.Fatalf("attempt %d with a fresh X-Forwarded-For: %d, want %d", i+1, resp.StatusCode, want)
		}
		resp.Body.Close()
	}
}

// Behind a configured proxy its X-Forwarded-For names the client, and a
// guesser locked out of an account does not lock its owner out: the right
// password from another address still signs in.
func TestGuesserDoesNotLockTheOwnerOut(t *testing.T) {
	e := newEnv(t, behindProxy, hourly(t, 5, 20))
	for i := 0; i < 6; i++ {
		resp := e.login("admin@acme.test", fmt.Sprintf("wrong password %d", i), "198.51.100.7")
		want := http.StatusUnauthorized
		if i == 5 {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want {
			t.Fatalf("guess %d: %d, want %d", i+1, resp.StatusCode, want)
		}
		resp.Body.Close()
	}
	// One try a minute from the guesser keeps only the guesser out.
	if resp := e.login("admin@acme.test", password, "198.51.100.7"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("guesser with the right password while throttled: %d, want 429", resp.StatusCode)
	}
	e.mustJSON(e.login("admin@acme.test", password, "203.0.113.9"), 200, nil)
}

func TestLogoutEndsTheSession(t *testing.T) {
	e := newEnv(t)
	var body struct{ Token string }
	e.mustJSON(e.login("admin@acme.test", password, ""), 200, &body)
	e.mustJSON(e.do("GET", "/api/v1/me", body.Token, nil), 200, nil)
	if resp := e.do("POST", "/api/v1/auth/logout", body.Token, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp := e.do("GET", "/api/v1/me", body.Token, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("token after logout: %d, want 401", resp.StatusCode)
	}
	// Other sessions of the user are not ended by this one's logout.
	e.mustJSON(e.do("GET", "/api/v1/me", e.a.tokens[store.RoleAdmin], nil), 200, nil)
}

func TestRoleChangeEndsTheUsersSessions(t *testing.T) {
	e := newEnv(t)
	old := e.a.tokens[store.RoleRecruiter]
	e.mustJSON(e.do("PATCH", "/api/v1/users/"+e.a.userIDs["recruiter"], e.a.tokens[store.RoleAdmin], map[string]any{"role": "reviewer"}), 200, nil)
	if resp := e.do("GET", "/api/v1/me", old, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("token from before the role change: %d, want 401", resp.StatusCode)
	}
	e.mustJSON(e.login("recruiter@acme.test", password, ""), 200, nil)
}

func TestPasswordChangeEndsEverySession(t *testing.T) {
	e := newEnv(t)
	other := e.a.tokens[store.RoleReviewer]
	var mine struct{ Token string }
	e.mustJSON(e.login("reviewer@acme.test", password, ""), 200, &mine)
	resp := e.do("POST", "/api/v1/me/password", mine.Token, map[string]any{"current_password": "not it at all", "new_password": "a new long password"})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("wrong current password: %d, want 400", resp.StatusCode)
	}
	errorBody(t, resp)
	var fresh struct{ Token string }
	e.mustJSON(e.do("POST", "/api/v1/me/password", mine.Token, map[string]any{"current_password": password, "new_password": "a new long password"}), 200, &fresh)
	for name, tok := range map[string]string{"another session": other, "the changing session's old token": mine.Token} {
		if resp := e.do("GET", "/api/v1/me", tok, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s after the password change: %d, want 401", name, resp.StatusCode)
		}
	}
	e.mustJSON(e.do("GET", "/api/v1/me", fresh.Token, nil), 200, nil)
	if resp := e.login("reviewer@acme.test", password, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("old password still signs in: %d", resp.StatusCode)
	}
	e.mustJSON(e.login("reviewer@acme.test", "a new long password", ""), 200, nil)
}

// The queue monitor shows every organisation's tasks: an organisation's
// admin may not open it, a platform operator may.
func TestQueueMonitorIsForPlatformOperators(t *testing.T) {
	monitor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("queues")) })
	e := newEnv(t, func(d *api.Deps) { d.QueueMonitor = monitor })
	for _, role := range all {
		resp := e.do("GET", "/admin/queues/", e.a.tokens[role], nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s of an organisation: %d, want 403", role, resp.StatusCode)
		}
		errorBody(t, resp)
	}
	if resp := e.do("GET", "/admin/queues/", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", resp.StatusCode)
	}
	ctx := context.Background()
	hash, _ := auth.HashPassword(password)
	op := store.User{Email: "ops@acme.test", Role: store.RoleReviewer, PasswordHash: hash, PlatformOperator: true}
	if err := e.store.CreateUser(ctx, store.Actor{OrgID: e.a.id, Label: "test"}, &op); err != nil {
		t.Fatal(err)
	}
	var body struct{ Token string }
	e.mustJSON(e.login(op.Email, password, ""), 200, &body)
	if resp := e.do("GET", "/admin/queues/", body.Token, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("platform operator: %d, want 200", resp.StatusCode)
	}
}

func TestMetricsNeedTheToken(t *testing.T) {
	withMetrics := func(token string) func(*api.Deps) {
		return func(d *api.Deps) { d.Metrics, d.MetricsToken = api.NewMetrics(d.Store, nil), token }
	}
	e := newEnv(t, withMetrics("metrics-token-0123456789"))
	for tok, want := range map[string]int{"": 401, "wrong-token-0123456789": 401, e.a.tokens[store.RoleAdmin]: 401, "metrics-token-0123456789": 200} {
		resp := e.do("GET", "/metrics", tok, nil)
		if resp.StatusCode != want {
			t.Errorf("token %.12q: %d, want %d", tok, resp.StatusCode, want)
		}
		resp.Body.Close()
	}
	// Without a token configured the metrics are not served at all.
	e = newEnv(t, withMetrics(""))
	if resp := e.do("GET", "/metrics", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics without ASSAY_METRICS_TOKEN: %d, want 404", resp.StatusCode)
	}
}
