// Package api is Assay's JSON API, /api/v1: thin gin handlers that parse,
// call one store function and render. Errors become status codes in one
// place (respondError).
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/catalog"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// Deps is what the API needs; cmd wires it.
type Deps struct {
	Store    *store.Store
	Tokens   *auth.Tokens
	Throttle *auth.Throttle
	Intake   intake.Policy
	Catalog  *catalog.Catalog
	BaseURL  string
	// Ready checks the services besides PostgreSQL (Redis); nil means none.
	Ready func(ctx context.Context) error
	// Notices are shown by /readyz, such as the dev loopback switch being on.
	Notices      []string
	SecureCookie bool
	Metrics      *Metrics
	// SecretKey (ASSAY_SECRET_KEY) seals partner API keys.
	SecretKey []byte
	// Production (ASSAY_ENV=production) refuses partner keys unless BaseURL
	// is https://.
	Production bool
	// QueueMonitor is the read-only queue dashboard mounted at /admin/queues
	// for platform operators; nil leaves it out.
	QueueMonitor http.Handler
	// TrustedProxies (ASSAY_TRUSTED_PROXIES) are the only peers whose
	// X-Forwarded-For is believed; with none, the client address is the
	// connection's, so a header cannot buy fresh sign-in attempts.
	TrustedProxies []string
	// MetricsToken (ASSAY_METRICS_TOKEN) is the bearer token /metrics
	// asks for; empty leaves /metrics out.
	MetricsToken string
	// FetchBundle fetches a take-home bundle from a repository (gitfetch
	// with the worker's policy); nil takes uploads only.
	FetchBundle rules.BundleFetcher
}

type api struct {
	Deps
	sessions *auth.Sessions
}

// maxBodyBytes bounds every request body; nothing the API takes is larger.
const maxBodyBytes = 64 << 10

// Register adds the API's routes to r, and sets whose forwarded headers r
// believes.
func Register(r *gin.Engine, d Deps) error {
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return fmt.Errorf("trusted proxies: %w", err)
	}
	a := &api{Deps: d, sessions: auth.NewSessions(d.Store, d.Tokens, d.Throttle)}
	if d.Metrics != nil {
		r.Use(d.Metrics.middleware())
		if d.MetricsToken != "" {
			r.GET("/metrics", requireToken(d.MetricsToken), gin.WrapH(d.Metrics.Handler()))
		}
	}
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", a.readyz)

	v1 := r.Group("/api/v1")
	v1.Use(limitBody, refuseNUL)
	v1.POST("/auth/login", a.login)
	v1.POST("/auth/logout", a.logout)

	cand := v1.Group("/candidate")
	cand.GET("", a.candidate)
	cand.POST("/submissions", a.candidateSubmit)
	cand.GET("/submissions/:id", a.candidateSubmission)
	cand.GET("/submissions/:id/events", a.candidateSubmissionEvents)

	staff := v1.Group("")
	staff.Use(auth.Middleware(d.Tokens, a.sessions.Principal))
	anyone := auth.Require(rules.Staff...)
	recruiters := auth.Require(rules.Recruiters...)
	reviewers := auth.Require(rules.Reviewers...)
	admins := auth.Require(rules.Admins...)

	staff.GET("/me", anyone, a.me)
	staff.POST("/me/password", anyone, a.changePassword)
	a.registerTakehomes(staff, anyone, recruiters)
	staff.GET("/assessments", anyone, a.listAssessments)
	staff.POST("/assessments", recruiters, a.createAssessment)
	staff.GET("/assessments/:id", anyone, a.getAssessment)
	staff.PATCH("/assessments/:id", recruiters, a.updateAssessment)
	staff.DELETE("/assessments/:id", recruiters, a.deleteAssessment)
	staff.GET("/assessments/:id/rubric", anyone, a.getRubric)
	staff.PUT("/assessments/:id/rubric", recruiters, a.putRubric)
	staff.POST("/assessments/:id/invitations", recruiters, a.createInvitation)
	staff.GET("/invitations", recruiters, a.listInvitations)
	staff.DELETE("/invitations/:id", recruiters, a.revokeInvitation)
	staff.POST("/invitations/:id/restore", recruiters, a.restoreInvitation)
	staff.POST("/invitations/:id/grant", recruiters, a.grantInvitation)
	staff.POST("/invitations/:id/link", recruiters, a.reissueLink)
	staff.GET("/submissions", anyone, a.listSubmissions)
	staff.GET("/submissions/:id", anyone, a.getSubmission)
	staff.POST("/submissions/:id/reviews", reviewers, a.addReview)
	staff.PUT("/submissions/:id/rubric-scores", reviewers, a.putRubricScores)
	staff.GET("/submissions/:id/events", anyone, a.submissionEvents)
	staff.GET("/submissions/:id/runs", anyone, a.listRuns)
	staff.GET("/submissions/:id/runs/:run", anyone, a.getRun)
	staff.POST("/submissions/:id/regrade", reviewers, a.regrade)
	staff.POST("/submissions/:id/cancel", reviewers, a.cancel)
	staff.POST("/submissions/:id/share", reviewers, a.shareScorecard)
	staff.GET("/submissions/:id/code", anyone, a.getCode)
	staff.GET("/submissions/:id/code/file", anyone, a.getCodeFile)
	staff.GET("/submissions/:id/comments", anyone, a.listCodeComments)
	staff.POST("/submissions/:id/comments", reviewers, a.addCodeComment)
	staff.GET("/users", admins, a.listUsers)
	staff.POST("/users", admins, a.createUser)
	staff.PATCH("/users/:id", admins, a.updateUser)
	staff.GET("/audit", admins, a.auditLog)
	a.registerWebhooks(staff, admins)
	a.registerSimilarity(staff, anyone, reviewers, admins)
	a.registerInterviews(staff, anyone)
	a.registerGreenhouse(v1, staff, admins)
	if d.QueueMonitor != nil {
		r.Any("/admin/queues/*path", auth.Middleware(d.Tokens, a.sessions.Principal), auth.RequireOperator, gin.WrapH(d.QueueMonitor))
	}

	r.NoRoute(func(c *gin.Context) {
		c.JSON(http.StatusNotFound, gin.H{"error": "no such route: " + c.Request.Method + " " + c.Request.URL.Path})
	})
	r.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, gin.H{"error": "method not allowed"})
	})
	return nil
}

func limitBody(c *gin.Context) {
	limit := int64(maxBodyBytes)
	if n, ok := bundleBody(c); ok {
		limit = n
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}

// actor is the store's view of the signed-in caller.
func actor(c *gin.Context) store.Actor {
	p := auth.Current(c)
	return store.Actor{OrgID: p.OrgID, UserID: p.UserID, Label: "user:" + p.Email}
}

// badRequest is an error in what the client sent that no rule of package
// rules names (a malformed body, a bad query parameter).
func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", store.ErrInvalid, fmt.Sprintf(format, args...))
}

// respondError answers with the status and message rules.Status gives err;
// a server error is logged, its message says nothing of internals.
func respondError(c *gin.Context, err error) {
	status, msg := rules.Status(err)
	if status == http.StatusInternalServerError {
		slog.Error("request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
	}
	c.AbortWithStatusJSON(status, gin.H{"error": msg})
}

// decode reads a JSON body strictly: unknown fields and trailing data are errors.
func decode(c *gin.Context, v any) error { return decodeJSON(c, v, true) }

// decodeJSON reads one JSON object from the body; strict refuses unknown
// fields (a partner's requests may gain properties, so theirs are not).
// Anything after the object is an error, and the messages name JSON
// fields and types, never Go's.
func decodeJSON(c *gin.Context, v any, strict bool) error {
	dec := json.NewDecoder(c.Request.Body)
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		var maxErr *http.MaxBytesError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &maxErr):
			return err
		case errors.Is(err, io.EOF):
			return badRequest("request body must be a JSON object")
		case errors.As(err, &typeErr) && typeErr.Field == "":
			return badRequest("request body must be a JSON object, not %s", jsonKind(typeErr.Value))
		case errors.As(err, &typeErr):
			return badRequest("invalid JSON body: %s must be %s, not %s", typeErr.Field, jsonKindOf(typeErr.Type), jsonKind(typeErr.Value))
		}
		return badRequest("invalid JSON body: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("invalid JSON body: trailing data after the object")
	}
	return rules.NoNULIn(v)
}

// refuseNUL answers 400 to a query holding a NUL character, which no
// route takes and PostgreSQL cannot store; bodies are checked by decode.
func refuseNUL(c *gin.Context) {
	if err := rules.NoNULInForm(c.Request.URL.Query()); err != nil {
		respondError(c, err)
		return
	}
	c.Next()
}

// jsonKind names a JSON value kind as encoding/json reports it ("array",
// "number 3", "string") for people.
func jsonKind(value string) string {
	kind, _, _ := strings.Cut(value, " ")
	switch kind {
	case "array", "object":
		return "an " + kind
	}
	return "a " + kind
}

// jsonKindOf names the JSON kind a Go type takes.
func jsonKindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKindOf(t.Elem())
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another type"
}

// page reads limit and cursor query parameters.
func page(c *gin.Context) (store.Page, error) {
	p := store.Page{Cursor: c.Query("cursor")}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return p, badRequest("limit must be a number from 1 to 200")
		}
		p.Limit = n
	}
	return p, nil
}

// list renders one page of a list.
func list[T any](c *gin.Context, items []T, next string) {
	if items == nil {
		items = []T{}
	}
	body := gin.H{"items": items}
	if next != "" {
		body["next_cursor"] = next
	}
	c.JSON(http.StatusOK, body)
}

func (a *api) readyz(c *gin.Context) {
	ctx := c.Request.Context()
	body := gin.H{"status": "ready"}
	if len(a.Notices) > 0 {
		body["notices"] = a.Notices
	}
	if err := a.Store.Ping(ctx); err != nil {
		body["status"], body["error"] = "unavailable", "PostgreSQL unreachable"
		c.JSON(http.StatusServiceUnavailable, body)
		return
	}
	if a.Ready != nil {
		if err := a.Ready(ctx); err != nil {
			body["status"], body["error"] = "unavailable", "Redis unreachable"
			c.JSON(http.StatusServiceUnavailable, body)
			return
		}
	}
	c.JSON(http.StatusOK, body)
}
