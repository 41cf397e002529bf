package web_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/catalog"
	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/gitfetch/gittest"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/assayhq/assay/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/go-redis/redis_rate/v10"
)

const password = "correct horse battery"

// helloSuite is a take-home small enough to grade through the real
// sandbox in seconds: one check passes, one fails with an HTML page as its
// evidence, and the build prints HTML into its output tail, so the pages
// must show both escaped.
var helloSuite = &grading.Suite{
	Slug: "hello", Version: "1", Title: "Hello service", ReadyPath: "/",
	Brief:   "# Hello\n\nServe `GET /` with **200**.\n\n<script>alert('brief')</script>\n",
	Starter: fstest.MapFS{"README.md": {Data: []byte("Start here.\n")}, "Procfile": {Data: []byte("web: ./serve\n")}},
	Checks: append(grading.SetupChecks(),
		grading.CheckDef{ID: "hello.answers", Title: "GET / answers 200", Category: grading.Endpoints, Points: 50, Visibility: grading.Visible},
		grading.CheckDef{ID: "hello.about_page", Title: "GET /about answers 200", Category: grading.Correctness, Points: 40, Visibility: grading.Visible},
	),
	Grade: func(ctx context.Context, g *grading.Grader) error {
		s, err := g.Start(ctx, grading.StartOptions{})
		if err != nil {
			return err
		}
		g.Check("hello.answers", func(c *grading.C) {
			if r, err := c.Do(s, "GET", "/", nil); err != nil || r.Status != 200 {
				c.Failf("GET / did not answer 200")
			}
		})
		g.Check("hello.about_page", func(c *grading.C) {
			if r, err := c.Do(s, "GET", "/about", nil); err != nil || r.Status != 200 {
				c.Failf("GET /about did not answer 200")
			}
		})
		return nil
	},
}

// helloSolution serves index.html with Python's web server (so /about is
// its HTML 404 page); the build prints markup to check it stays inert.
var helloSolution = map[string]string{
	"Procfile":   "build: echo '<img src=x onerror=alert(1)><b>built</b>'\nweb: exec python3 -m http.server $PORT --bind 127.0.0.1\n",
	"index.html": "hello\n",
}

// helloCatalog offers the hello take-home to the dashboard.
var helloCatalog = catalog.New(catalog.Takehome{Slug: helloSuite.Slug, Title: helloSuite.Title, Version: helloSuite.Version,
	Brief: helloSuite.Brief, Starter: helloSuite.Starter})

// env is a platform database with one organisation and a user per role,
// and the dashboard served over real HTTP.
type env struct {
	t      testing.TB
	st     *store.Store
	tokens *auth.Tokens
	// sessions opens sessions as signing in would.
	sessions *auth.Sessions
	org      string
	users    map[string]*store.User // by role
	url      string
	engine   *gin.Engine

	mu    sync.Mutex
	paths []string // every request's path, in order
}

// requested reports whether a request's path started with prefix and ended with suffix.
func (e *env) requested(prefix, suffix string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range e.paths {
		if strings.HasPrefix(p, prefix) && strings.HasSuffix(p, suffix) {
			return true
		}
	}
	return false
}

// newEnv starts the dashboard; repoHost is the loopback host:port the
// intake policy accepts repositories from ("" for none).
func newEnv(t testing.TB, repoHost string) *env {
	t.Helper()
	ctx := context.Background()
	db := storetest.New(t)
	st, org := db.Store, db.Org
	e := &env{t: t, st: st, tokens: auth.NewTokens([]byte(strings.Repeat("k", 32))), org: org.ID, users: map[string]*store.User{}}
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{store.RoleAdmin, store.RoleRecruiter, store.RoleReviewer} {
		u := &store.User{Email: role + "@acme.test", Role: role, PasswordHash: hash}
		if err := st.CreateUser(ctx, store.Actor{OrgID: org.ID, Label: "test"}, u); err != nil {
			t.Fatal(err)
		}
		e.users[role] = u
	}
	// The URL must be known before the routes (invite links carry it).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.url = "http://" + l.Addr().String()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	policy := intake.Policy{Hosts: []string{"github.com"}}
	if repoHost != "" {
		// The loopback host is asked about each submission as in production.
		policy = intake.Policy{Hosts: []string{repoHost}, AllowLoopback: true,
			Probe: func(ctx context.Context, repoURL, ref string) error {
				return gitfetch.Probe(ctx, repoURL, ref, gitfetch.Options{AllowLoopbackHTTP: true})
			}}
	}
	// Loose limits: the journeys sign in often; the throttle's own tests are the API's.
	loose := redis_rate.PerSecond(100)
	throttle := auth.NewThrottle(testenv.NewRedisClient(t), "test", auth.Limits{Pair: loose, Address: loose, Email: loose})
	e.sessions = auth.NewSessions(st, e.tokens, throttle)
	if err := web.Register(r, web.Deps{Store: st, Tokens: e.tokens, Throttle: throttle,
		Intake: policy, Catalog: helloCatalog, BaseURL: e.url, SecretKey: []byte(strings.Repeat("s", 32))}); err != nil {
		t.Fatal(err)
	}
	e.engine = r
	record := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		e.mu.Lock()
		e.paths = append(e.paths, req.URL.Path)
		e.mu.Unlock()
		r.ServeHTTP(w, req)
	})
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: record}}
	srv.Start()
	t.Cleanup(srv.Close)
	return e
}

func (e *env) actor(role string) store.Actor {
	u := e.users[role]
	return store.Actor{OrgID: e.org, UserID: u.ID, Label: "user:" + u.Email}
}

// sessionCookie is the cookie a signed-in user of role carries.
func (e *env) sessionCookie(role string) *http.Cookie {
	u := e.users[role]
	issued, err := e.sessions.Start(context.Background(), u)
	if err != nil {
		e.t.Fatal(err)
	}
	return &http.Cookie{Name: auth.CookieName, Value: issued.Token}
}

// serveRepo makes a git repository of files and serves it over smart HTTP
// at http://127.0.0.1:PORT/acme/NAME; it returns the URL and host:port.
func serveRepo(t testing.TB, name string, files map[string]string) (url, host string) {
	t.Helper()
	root := t.TempDir()
	dir, _ := gittest.MakeRepo(t, files)
	dest := filepath.Join(root, "acme", name)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir, dest); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gittest.Handler(t, root))
	t.Cleanup(srv.Close)
	return srv.URL + "/acme/" + name, strings.TrimPrefix(srv.URL, "http://")
}
