package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"github.com/golang-jwt/jwt/v5"
)

// anonClient keeps cookies and does not follow redirects.
func anonClient() *http.Client {
	return &http.Client{Jar: &cookieJar{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn posts the sign-in form with next and returns where it redirects.
func signIn(t *testing.T, e *env, next string) string {
	t.Helper()
	c := anonClient()
	token := csrfTokenOf(t, c, e.url+"/login")
	resp, err := c.PostForm(e.url+"/login", url.Values{"csrf_token": {token}, "email": {"admin@acme.test"},
		"password": {password}, "next": {next}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with next=%q: %d", next, resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func TestSignInSendsBackOnlyToThisDashboardsPages(t *testing.T) {
	e := newEnv(t, "")
	for _, next := range []string{
		"/\t/evil.example/phish", // browsers drop the tab: //evil.example
		"/\n/evil.example", "/ /evil.example", "//evil.example", "/\\evil.example", "\\/evil.example",
		"https://evil.example/", "javascript:alert(1)", "/%2F%2Fevil.example", "/no-such-page", "assessments",
	} {
		if loc := signIn(t, e, next); loc != "/assessments" {
			t.Errorf("next=%q sent the user to %q, want the home page", next, loc)
		}
	}
	for _, next := range []string{"/submissions?status=graded", "/assessments/00000000-0000-0000-0000-000000000001", "/admin/users"} {
		if loc := signIn(t, e, next); loc != next {
			t.Errorf("next=%q sent the user to %q", next, loc)
		}
	}
}

// An attacker's own (anonymous) cookie and token pair, planted in an
// admin's browser, does not pass with the admin's session.
func TestCSRFTokenIsBoundToTheSession(t *testing.T) {
	e := newEnv(t, "")
	attacker := anonClient()
	planted := csrfTokenOf(t, attacker, e.url+"/login")
	u, _ := url.Parse(e.url)
	admin := staffClient(e, store.RoleAdmin)
	admin.Jar.SetCookies(u, attacker.Jar.Cookies(u))
	form := url.Values{"csrf_token": {planted}, "email": {"planted@acme.test"}, "role": {"admin"}, "password": {"a long password!"}}
	resp, err := admin.PostForm(e.url+"/admin/users", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("planted anonymous CSRF pair with an admin session: %d, want 403", resp.StatusCode)
	}
	// The token of the admin's own session, with the same cookie, passes.
	form.Set("csrf_token", csrfTokenOf(t, admin, e.url+"/admin/users"))
	resp, err = admin.PostForm(e.url+"/admin/users", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("the session's own token: %d, want 201", resp.StatusCode)
	}
}

// get fetches path with only the session cookie raw and returns the
// response's status, Location and new session cookie ("" when none).
func get(t *testing.T, e *env, path, raw string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.url+path, nil)
	req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: raw})
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	renewed := ""
	for _, c := range resp.Cookies() {
		if c.Name == auth.CookieName {
			renewed = c.Value
		}
	}
	return resp.StatusCode, resp.Header.Get("Location"), renewed
}

func TestSignOutEndsTheSessionForGood(t *testing.T) {
	e := newEnv(t, "")
	c := staffClient(e, store.RoleAdmin)
	u, _ := url.Parse(e.url)
	var raw string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == auth.CookieName {
			raw = ck.Value
		}
	}
	token := csrfTokenOf(t, c, e.url+"/assessments")
	resp, err := c.PostForm(e.url+"/logout", url.Values{"csrf_token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if status, loc, _ := get(t, e, "/assessments", raw); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("the cookie after sign-out: %d %q, want a redirect to sign in", status, loc)
	}
}

// A session past half its life is renewed while live, never once ended.
func TestRenewalNeverRevivesAnEndedSession(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	admin := e.users[store.RoleAdmin]
	aged := func(sessionID string) string {
		iat := time.Now().Add(-40 * time.Minute)
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "assay", "aud": []string{"assay-api"},
			"sub": admin.ID, "org": admin.OrgID, "role": admin.Role, "jti": sessionID,
			"iat": iat.Unix(), "nbf": iat.Unix(), "exp": iat.Add(time.Hour).Unix()}).SignedString([]byte(strings.Repeat("k", 32)))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	live, err := e.st.StartSession(ctx, admin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, renewed := get(t, e, "/assessments", aged(live.ID)); status != http.StatusOK || renewed == "" {
		t.Fatalf("a live aged session: %d, renewed %v; want 200 and a new cookie", status, renewed != "")
	}
	ended, err := e.st.StartSession(ctx, admin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.EndSession(ctx, ended.ID); err != nil {
		t.Fatal(err)
	}
	if status, _, renewed := get(t, e, "/assessments", aged(ended.ID)); status != http.StatusSeeOther || renewed != "" {
		t.Fatalf("an ended aged session: %d, renewed %v; want a redirect to sign in and no new cookie", status, renewed != "")
	}
}

// A NUL character in any form field is refused whole (400): a CSV confirm
// with one such row creates no one, so no one-time link is lost.
func TestNULInAFormCreatesNothing(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: "Round", HoursAllowed: 24, MaxSubmissions: 1, CandidateView: store.ViewTotal}
	if err := e.st.CreateAssessment(ctx, e.actor(store.RoleRecruiter), &as); err != nil {
		t.Fatal(err)
	}
	c := staffClient(e, store.RoleRecruiter)
	page := e.url + "/assessments/" + as.ID
	token := csrfTokenOf(t, c, page)
	for path, form := range map[string]url.Values{
		"/invitations/csv/confirm": {"source": {"name,email\nAda,ada@example.com\nEve\x00,eve@example.com\n"}},
		"/invitations":             {"name": {"Bob\x00"}, "email": {"bob@example.com"}},
	} {
		form.Set("csrf_token", token)
		resp, err := c.PostForm(page+path, form)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "must not contain NUL characters") {
			t.Errorf("POST %s with a NUL: %d, want 400 saying why", path, resp.StatusCode)
		}
	}
	if n := countInvitations(t, e, as.ID); n != 0 {
		t.Fatalf("%d invitations created from forms with NUL characters", n)
	}
	anon := anonClient()
	resp, err := anon.PostForm(e.url+"/login", url.Values{"csrf_token": {csrfTokenOf(t, anon, e.url+"/login")},
		"email": {"admin@acme.test\x00"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("sign-in with a NUL: %d, want 400", resp.StatusCode)
	}
}
