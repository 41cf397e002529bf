package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/api"
	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/catalog"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/gin-gonic/gin"
)

var secret = []byte("test-secret-key-0123456789abcdef0123456789")

var testCatalog = catalog.New(
	catalog.Takehome{Slug: "planets-crud", Title: "Planets CRUD", Version: "1", Brief: "# Planets"},
	catalog.Takehome{Slug: "shopping-list", Title: "Shopping list", Version: "1", Brief: "# Shopping"},
)

const password = "correct horse battery"

// org is one organisation's fixtures: a user per role and one of each object.
type org struct {
	id          string
	tokens      map[string]string // role -> JWT
	userIDs     map[string]string
	assessment  string
	invitation  string
	inviteToken string
	submission  string
	takehome    string // made on first use: (*env).takehome
}

type env struct {
	t     testing.TB
	url   string
	store *store.Store
	a, b  *org
}

// newEnv starts the API with two organisations; options change its Deps.
func newEnv(t testing.TB, options ...func(*api.Deps)) *env {
	t.Helper()
	return newEnvWith(t, intake.Policy{Hosts: []string{"github.com"}}, options...)
}

// newEnvWith is newEnv with another intake policy (a probe, a loopback host).
func newEnvWith(t testing.TB, policy intake.Policy, options ...func(*api.Deps)) *env {
	t.Helper()
	st := storetest.New(t).Store
	gin.SetMode(gin.TestMode)
	r := gin.New()
	d := api.Deps{
		Store: st, Tokens: auth.NewTokens(secret), SecretKey: secret, Throttle: auth.NewThrottle(testenv.NewRedisClient(t), "test", auth.DefaultLimits),
		Intake:  policy,
		Catalog: testCatalog, BaseURL: "http://assay.test",
	}
	for _, o := range options {
		o(&d)
	}
	if err := api.Register(r, d); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	e := &env{t: t, url: srv.URL, store: st}
	e.a = e.makeOrg("Acme", "acme")
	e.b = e.makeOrg("Globex", "globex")
	return e
}

func (e *env) makeOrg(name, prefix string) *org {
	e.t.Helper()
	ctx := context.Background()
	o, err := e.store.EnsureOrganization(ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	out := &org{id: o.ID, tokens: map[string]string{}, userIDs: map[string]string{}}
	hash, _ := auth.HashPassword(password)
	for _, role := range []string{store.RoleAdmin, store.RoleRecruiter, store.RoleReviewer} {
		u := store.User{Email: role + "@" + prefix + ".test", Role: role, PasswordHash: hash}
		if err := e.store.CreateUser(ctx, store.Actor{OrgID: o.ID, Label: "test"}, &u); err != nil {
			e.t.Fatal(err)
		}
		out.userIDs[role] = u.ID
		issued, err := auth.NewSessions(e.store, auth.NewTokens(secret), nil).Start(ctx, &u)
		if err != nil {
			e.t.Fatal(err)
		}
		out.tokens[role] = issued.Token
	}
	rec := out.tokens[store.RoleRecruiter]
	var as store.Assessment
	e.mustJSON(e.do("POST", "/api/v1/assessments", rec, map[string]any{"takehome": "planets-crud", "title": name + " backend"}), 201, &as)
	out.assessment = as.ID
	var inv struct {
		Invitation store.Invitation `json:"invitation"`
		Token      string           `json:"token"`
		InviteURL  string           `json:"invite_url"`
	}
	e.mustJSON(e.do("POST", "/api/v1/assessments/"+as.ID+"/invitations", rec,
		map[string]any{"candidate_name": "Ada " + name, "candidate_email": "ada@" + prefix + ".example"}), 201, &inv)
	out.invitation, out.inviteToken = inv.Invitation.ID, inv.Token
	var sub struct{ ID string }
	e.mustJSON(e.do("POST", "/api/v1/candidate/submissions", inv.Token,
		map[string]any{"repo_url": "https://github.com/ada/" + prefix}), 202, &sub)
	out.submission = sub.ID
	return out
}

func (e *env) do(method, path, token string, body any) *http.Response {
	e.t.Helper()
	var r io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case zipBody:
		r, contentType = bytes.NewReader(b), "application/zip"
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, e.url+path, r)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// mustJSON asserts the status and decodes the body into v (may be nil).
func (e *env) mustJSON(resp *http.Response, status int, v any) {
	e.t.Helper()
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, raw)
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			e.t.Fatalf("%s %s: body %s: %v", resp.Request.Method, resp.Request.URL.Path, raw, err)
		}
	}
}

// errorBody asserts a JSON {"error": "..."} body and returns the message.
func errorBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b struct {
		Error string `json:"error"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &b); err != nil || b.Error == "" {
		t.Fatalf("want a JSON error body, got %q", raw)
	}
	return b.Error
}
