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
	// QueueMonitor is the read-only queue dashboard mounted at /admin/queues
	// for admins; nil leaves it out.
	QueueMonitor http.Handler
}

type api struct{ Deps }

// maxBodyBytes bounds every request body; nothing the API takes is larger.
const maxBodyBytes = 64 << 10

// Register adds the API's routes to r.
func Register(r *gin.Engine, d Deps) {
	a := &api{d}
	if d.Metrics != nil {
		r.Use(d.Metrics.middleware())
		r.GET("/metrics", gin.WrapH(d.Metrics.Handler()))
	}
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", a.readyz)

	v1 := r.Group("/api/v1")
	v1.Use(limitBody)
	v1.POST("/auth/login", a.login)
	v1.POST("/auth/logout", a.logout)

	cand := v1.Group("/candidate")
	cand.GET("", a.candidate)
	cand.POST("/submissions", a.candidateSubmit)
	cand.GET("/submissions/:id", a.candidateSubmission)
	cand.GET("/submissions/:id/events", a.candidateSubmissionEvents)

	staff := v1.Group("")
	staff.Use(auth.Middleware(d.Tokens, a.loadPrincipal))
	anyone := auth.Require(rules.Staff...)
	recruiters := auth.Require(rules.Recruiters...)
	reviewers := auth.Require(rules.Reviewers...)
	admins := auth.Require(rules.Admins...)

	staff.GET("/me", anyone, a.me)
	staff.GET("/takehomes", anyone, a.takehomes)
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
	staff.GET("/submissions", anyone, a.listSubmissions)
	staff.GET("/submissions/:id", anyone, a.getSubmission)
	staff.POST("/submissions/:id/reviews", reviewers, a.addReview)
	staff.PUT("/submissions/:id/rubric-scores", reviewers, a.putRubricScores)
	staff.GET("/submissions/:id/events", anyone, a.submissionEvents)
	staff.GET("/submissions/:id/runs", anyone, a.listRuns)
	staff.GET("/submissions/:id/runs/:run", anyone, a.getRun)
	staff.POST("/submissions/:id/regrade", reviewers, a.regrade)
	staff.POST("/submissions/:id/cancel", reviewers, a.cancel)
	staff.GET("/users", admins, a.listUsers)
	staff.POST("/users", admins, a.createUser)
	staff.PATCH("/users/:id", admins, a.updateUser)
	staff.GET("/audit", admins, a.auditLog)
	a.registerWebhooks(staff, admins)
	a.registerGreenhouse(v1, staff, admins)
	if d.QueueMonitor != nil {
		r.Any("/admin/queues/*path", auth.Middleware(d.Tokens, a.loadPrincipal), admins, gin.WrapH(d.QueueMonitor))
	}

	r.NoRoute(func(c *gin.Context) {
		c.JSON(http.StatusNotFound, gin.H{"error": "no such route: " + c.Request.Method + " " + c.Request.URL.Path})
	})
	r.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, gin.H{"error": "method not allowed"})
	})
}

func limitBody(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes)
	c.Next()
}

// actor is the store's view of the signed-in caller.
func actor(c *gin.Context) store.Actor {
	p := auth.Current(c)
	return store.Actor{OrgID: p.OrgID, UserID: p.UserID, Label: "user:" + p.Email}
}

func (a *api) loadPrincipal(ctx context.Context, cl *auth.Claims) (*auth.Principal, error) {
	u, err := a.Store.User(ctx, cl.OrgID, cl.Subject)
	if err != nil || u.Disabled {
		return nil, errors.New("user gone or disabled")
	}
	return &auth.Principal{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, Email: u.Email}, nil
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
func decode(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return badRequest("request body must be a JSON object")
		}
		return badRequest("invalid JSON body: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return badRequest("invalid JSON body: trailing data after the object")
	}
	return nil
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
