// Package web is the dashboard: server-rendered pages for recruiters,
// reviewers, admins and candidates, with htmx polling for live progress.
// Handlers are thin: parse, call one store function, render. Every page
// is html/template, so every string a candidate controls is escaped; the
// only HTML inserted as is comes from the Markdown renderer after
// sanitising (markdown.go).
package web

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/catalog"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	assets "github.com/assayhq/assay/web"
	"github.com/gin-gonic/gin"
)

// Deps is what the dashboard needs; cmd wires it.
type Deps struct {
	Store    *store.Store
	Tokens   *auth.Tokens
	Throttle *auth.Throttle
	Intake   intake.Policy
	Catalog  *catalog.Catalog
	BaseURL  string
	// SecretKey signs the CSRF tokens.
	SecretKey    []byte
	SecureCookie bool
	// MailEnabled says an SMTP server is configured; without one the pages
	// tell recruiters to send the invite link themselves.
	MailEnabled bool
	// Notices are development switches that are on (ASSAY_ALLOW_LOOPBACK,
	// an unsandboxed worker); every page shows them.
	Notices []string
	// FetchBundle fetches a take-home bundle from a repository (gitfetch
	// with the worker's policy); nil takes uploads only.
	FetchBundle rules.BundleFetcher
}

type server struct {
	Deps
	pages    *pages
	starters *starterCache
	sessions *auth.Sessions
	routes   pageRoutes
}

// maxFormBytes bounds a form post; the CSV upload is the largest.
const maxFormBytes = 1 << 20

// Register adds the dashboard's routes to r.
func Register(r *gin.Engine, d Deps) error {
	p, err := loadPages()
	if err != nil {
		return err
	}
	static, err := fs.Sub(assets.FS, "static")
	if err != nil {
		return fmt.Errorf("static assets: %w", err)
	}
	s := &server{Deps: d, pages: p, starters: newStarterCache(d.Catalog), sessions: auth.NewSessions(d.Store, d.Tokens, d.Throttle)}
	css, err := codeCSS()
	if err != nil {
		return err
	}
	before := r.Routes()

	r.GET("/static/*path", cacheStatic, gin.WrapH(http.StripPrefix("/static/", http.FileServerFS(static))))
	r.GET("/takehomes/:slug/starter.zip", s.starterZip)
	r.GET("/code.css", cacheStatic, func(c *gin.Context) { c.Data(http.StatusOK, "text/css; charset=utf-8", css) })

	g := r.Group("", securityHeaders, limitForm, s.csrf, s.refuseNUL)
	g.GET("/", s.home)
	g.GET("/login", s.loginPage)
	g.POST("/login", s.login)
	g.POST("/logout", s.logout)

	cand := g.Group("/c/:token")
	cand.GET("", s.candidatePage)
	cand.POST("/submit", s.candidateSubmit)
	cand.GET("/submissions/:id/progress", s.candidateProgress)
	cand.GET("/submissions/:id/events", s.candidateEvents)
	cand.GET("/starter.zip", s.candidateStarter)

	staff := g.Group("", s.session)
	anyone := s.allow(rules.Staff...)
	recruiters := s.allow(rules.Recruiters...)
	reviewers := s.allow(rules.Reviewers...)
	admins := s.allow(rules.Admins...)

	staff.GET("/assessments", anyone, s.assessments)
	staff.GET("/assessments/new", recruiters, s.newAssessment)
	staff.POST("/assessments", recruiters, s.createAssessment)
	staff.GET("/assessments/:id", anyone, s.assessment)
	staff.GET("/assessments/:id/edit", recruiters, s.editAssessment)
	staff.POST("/assessments/:id", recruiters, s.updateAssessment)
	staff.POST("/assessments/:id/archive", recruiters, s.archiveAssessment)
	staff.POST("/assessments/:id/invitations", recruiters, s.invite)
	staff.POST("/assessments/:id/invitations/csv", recruiters, s.previewCSV)
	staff.POST("/assessments/:id/invitations/csv/confirm", recruiters, s.confirmCSV)
	staff.GET("/assessments/:id/compare", anyone, s.compare)
	staff.GET("/assessments/:id/rubric", recruiters, s.editRubric)
	staff.POST("/assessments/:id/rubric", recruiters, s.saveRubric)
	staff.POST("/invitations/:id/revoke", recruiters, s.revokeInvitation)
	staff.POST("/invitations/:id/restore", recruiters, s.restoreInvitation)
	staff.POST("/invitations/:id/grant", recruiters, s.grantInvitation)
	staff.POST("/invitations/:id/link", recruiters, s.reissueLink)
	staff.GET("/submissions", anyone, s.submissions)
	staff.GET("/submissions/:id", anyone, s.scorecard)
	staff.GET("/submissions/:id/status", anyone, s.submissionStatus)
	staff.GET("/submissions/:id/events", anyone, s.submissionEvents)
	staff.POST("/submissions/:id/reviews", reviewers, s.addReview)
	staff.POST("/submissions/:id/rubric", reviewers, s.scoreRubric)
	staff.POST("/submissions/:id/regrade", reviewers, s.regrade)
	staff.POST("/submissions/:id/share", reviewers, s.shareScorecard)
	staff.GET("/submissions/:id/code", anyone, s.codePage)
	staff.GET("/submissions/:id/code/diff", anyone, s.codeDiff)
	staff.POST("/submissions/:id/comments", reviewers, s.addCodeComment)
	staff.GET("/submissions/:id/similarity/:other", anyone, s.similarityPair)
	staff.POST("/submissions/:id/similarity/:other/mark", reviewers, s.markSimilarity)
	s.registerInterviews(staff, anyone)
	s.registerTakehomes(staff, anyone, recruiters)
	staff.GET("/admin/users", admins, s.users)
	staff.POST("/admin/users", admins, s.createUser)
	staff.POST("/admin/users/:id", admins, s.updateUser)
	staff.GET("/admin/mail", admins, s.mailOutbox)
	staff.GET("/admin/audit", admins, s.auditLog)
	staff.GET("/admin/known-solutions", admins, s.knownSolutions)
	staff.POST("/admin/known-solutions", admins, s.addKnownSolution)
	staff.POST("/admin/known-solutions/:id/delete", admins, s.deleteKnownSolution)
	staff.POST("/admin/known-solutions/:id/refetch", admins, s.refetchKnownSolution)
	staff.GET("/admin/webhooks", admins, s.webhooks)
	staff.POST("/admin/webhooks", admins, s.createWebhook)
	staff.POST("/admin/webhooks/:id", admins, s.updateWebhook)
	staff.POST("/admin/webhooks/:id/test", admins, s.testWebhook)
	staff.POST("/admin/webhooks/:id/delete", admins, s.deleteWebhook)
	s.routes = newPageRoutes(r, before)
	return nil
}

// securityHeaders keep pages from being framed, from leaking a candidate's
// link in Referer, and from running any script but our own files: a
// string that slipped past escaping still could not execute.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	c.Next()
}

func cacheStatic(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.Next()
}

func limitForm(c *gin.Context) {
	if c.Request.Method == http.MethodPost {
		limit := int64(maxFormBytes)
		if bundleForms[c.FullPath()] {
			limit += rules.MaxBundleBytes
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// refuseNUL answers 400 to a form or query holding a NUL character, which
// no page takes and PostgreSQL cannot store, before any handler runs: a
// form is refused whole, so nothing of it is created. (csrf has parsed
// the form already.)
func (s *server) refuseNUL(c *gin.Context) {
	err := rules.NoNULInForm(c.Request.URL.Query())
	if err == nil && c.Request.Method == http.MethodPost {
		err = rules.NoNULInForm(c.Request.PostForm)
		if err == nil && c.Request.MultipartForm != nil {
			err = rules.NoNULInForm(c.Request.MultipartForm.Value)
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Next()
}

// fail renders an error page for err with the status and message
// rules.Status gives it; a server error is logged.
func (s *server) fail(c *gin.Context, err error) {
	status, msg := rules.Status(err)
	if status == http.StatusInternalServerError {
		slog.Error("dashboard request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
	}
	s.render(c, status, "error", "Error", errorPage{Status: status, Message: sentence(msg)})
	c.Abort()
}

type errorPage struct {
	Status  int
	Message string
}
