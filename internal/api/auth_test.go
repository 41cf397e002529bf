package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/api"
	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"
)

func TestLoginIssuesTokenAndCookie(t *testing.T) {
	e := newEnv(t)
	resp := e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "Admin@Acme.test", "password": password})
	var body struct {
		Token string `json:"token"`
	}
	cookies := resp.Cookies()
	e.mustJSON(resp, 200, &body)
	if body.Token == "" {
		t.Fatal("no token in login response")
	}
	var c *http.Cookie
	for _, ck := range cookies {
		if ck.Name == "assay_session" {
			c = ck
		}
	}
	if c == nil || !c.HttpOnly || c.SameSite == http.SameSiteNoneMode || c.Value != body.Token {
		t.Fatalf("session cookie missing or not HttpOnly/SameSite: %+v", c)
	}
	// The cookie alone signs the dashboard in.
	req, _ := http.NewRequest("GET", e.url+"/api/v1/me", nil)
	req.AddCookie(c)
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var me struct{ Role string }
	e.mustJSON(r2, 200, &me)
	if me.Role != "admin" {
		t.Fatalf("me.role = %q", me.Role)
	}
	if resp := e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@acme.test", "password": "wrong password!"}); resp.StatusCode != 401 {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	if resp := e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "nobody@acme.test", "password": password}); resp.StatusCode != 401 {
		t.Fatalf("unknown user: %d", resp.StatusCode)
	}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBadTokensAreRefused(t *testing.T) {
	e := newEnv(t)
	good := e.a.tokens[store.RoleAdmin]
	now := time.Now()
	ctx := context.Background()
	admin := &store.User{ID: e.a.userIDs["admin"], OrgID: e.a.id}
	live, err := e.store.StartSession(ctx, admin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ended, err := e.store.StartSession(ctx, admin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.EndSession(ctx, ended.ID); err != nil {
		t.Fatal(err)
	}
	claims := func(mut func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": "assay", "aud": []string{"assay-api"}, "sub": e.a.userIDs["admin"], "jti": live.ID,
			"org": e.a.id, "role": "admin", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		if mut != nil {
			mut(c)
		}
		return c
	}
	parts := strings.Split(good, ".")
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	tampered := []byte(parts[1])
	tampered[len(tampered)/2] ^= 1
	cases := map[string]string{
		"alg none":        noneHeader + "." + parts[1] + ".",
		"alg none signed": sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)),
		"HS384":           sign(t, jwt.SigningMethodHS384, secret, claims(nil)),
		"HS512":           sign(t, jwt.SigningMethodHS512, secret, claims(nil)),
		"tampered claims": parts[0] + "." + string(tampered) + "." + parts[2],
		"wrong key":       sign(t, jwt.SigningMethodHS256, []byte("another-secret-key-0123456789abcdef"), claims(nil)),
		"expired":         sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })),
		"no expiry":       sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "exp") })),
		"wrong audience":  sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["aud"] = []string{"other"} })),
		"wrong issuer":    sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iss"] = "evil" })),
		"org swapped":     sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["org"] = e.b.id })),
		"no session":      sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "jti") })),
		"ended session":   sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["jti"] = ended.ID })),
		"other's session": sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["sub"] = e.a.userIDs["reviewer"] })),
		"garbage":         "not.a.token",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			resp := e.do("GET", "/api/v1/assessments", tok, nil)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", resp.StatusCode)
			}
			errorBody(t, resp)
		})
	}
	// The same claims correctly signed work, so the refusals above are about the token.
	if resp := e.do("GET", "/api/v1/assessments", sign(t, jwt.SigningMethodHS256, secret, claims(nil)), nil); resp.StatusCode != 200 {
		t.Fatalf("well-formed token refused: %d", resp.StatusCode)
	}
}

func TestDisabledUserLosesAccess(t *testing.T) {
	e := newEnv(t)
	tok := e.a.tokens[store.RoleReviewer]
	e.mustJSON(e.do("PATCH", "/api/v1/users/"+e.a.userIDs["reviewer"], e.a.tokens["admin"], map[string]any{"disabled": true}), 200, nil)
	if resp := e.do("GET", "/api/v1/submissions", tok, nil); resp.StatusCode != 401 {
		t.Fatalf("disabled user's token still works: %d", resp.StatusCode)
	}
}

func TestLoginThrottle(t *testing.T) {
	e := newEnv(t)
	var last *http.Response
	for i := 0; i < 6; i++ {
		last = e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@acme.test", "password": "wrong password " + string(rune('a'+i))})
		if i < 5 && last.StatusCode != 401 {
			t.Fatalf("attempt %d: %d, want 401", i+1, last.StatusCode)
		}
		if i < 5 {
			last.Body.Close()
		}
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("6th attempt: %d Retry-After=%q, want 429 with Retry-After", last.StatusCode, last.Header.Get("Retry-After"))
	}
	errorBody(t, last)
	// Even the right password is refused while throttled: no oracle.
	if resp := e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@acme.test", "password": password}); resp.StatusCode != 429 {
		t.Fatalf("right password while throttled: %d", resp.StatusCode)
	}
	// Another account from elsewhere is not affected.
	if resp := e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "recruiter@acme.test", "password": password}); resp.StatusCode != 200 {
		t.Fatalf("other account: %d", resp.StatusCode)
	}
}

// TestLoginWithTheThrottleDownIsRefusedPlainly: with the shared throttle's
// Redis unreachable, sign-in is refused (never let through unthrottled) with
// a 503 that says to try again, not a 500.
func TestLoginWithTheThrottleDownIsRefusedPlainly(t *testing.T) {
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { dead.Close() })
	e := newEnv(t, func(d *api.Deps) { d.Throttle = auth.NewThrottle(dead, "test", auth.DefaultLimits) })
	resp := e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@acme.test", "password": password})
	var body struct{ Error, Token string }
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || body.Token != "" || !strings.Contains(body.Error, "try again") {
		t.Fatalf("status %d, body %+v; want 503 saying to try again, and no token", resp.StatusCode, body)
	}
}
