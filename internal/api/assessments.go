package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

func (a *api) takehomes(c *gin.Context) {
	list(c, a.Catalog.Takehomes(), "")
}

type assessmentRequest struct {
	Takehome       *string `json:"takehome"`
	Title          *string `json:"title"`
	Instructions   *string `json:"instructions"`
	HoursAllowed   *int    `json:"hours_allowed"`
	MaxSubmissions *int    `json:"max_submissions"`
	CandidateView  *string `json:"candidate_view"`
	Archived       *bool   `json:"archived"`
}

// validate checks the fields that are present.
func (r *assessmentRequest) validate() error {
	if r.Title != nil {
		*r.Title = strings.TrimSpace(*r.Title)
		if n := utf8.RuneCountInString(*r.Title); n < 1 || n > 200 {
			return badRequest("title must be 1 to 200 characters")
		}
	}
	if r.Instructions != nil && len(*r.Instructions) > 20000 {
		return badRequest("instructions must be at most 20000 bytes")
	}
	if r.HoursAllowed != nil && (*r.HoursAllowed < 1 || *r.HoursAllowed > 720) {
		return badRequest("hours_allowed must be from 1 to 720")
	}
	if r.MaxSubmissions != nil && (*r.MaxSubmissions < 1 || *r.MaxSubmissions > 20) {
		return badRequest("max_submissions must be from 1 to 20")
	}
	if r.CandidateView != nil {
		switch *r.CandidateView {
		case store.ViewNothing, store.ViewTotal, store.ViewVisibleChecks:
		default:
			return badRequest("candidate_view must be nothing, total or visible_checks")
		}
	}
	return nil
}

func (a *api) createAssessment(c *gin.Context) {
	var req assessmentRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if req.Takehome == nil || req.Title == nil {
		respondError(c, badRequest("takehome and title are required"))
		return
	}
	if req.Archived != nil {
		respondError(c, badRequest("a new assessment cannot be archived"))
		return
	}
	th, ok := a.Catalog.Takehome(*req.Takehome)
	if !ok {
		respondError(c, badRequest("unknown takehome %q; GET /api/v1/takehomes lists them", *req.Takehome))
		return
	}
	if err := req.validate(); err != nil {
		respondError(c, err)
		return
	}
	as := store.Assessment{
		Takehome: th.Slug, SuiteVersion: th.Version, Title: *req.Title,
		Instructions: deref(req.Instructions, ""), HoursAllowed: deref(req.HoursAllowed, 72),
		MaxSubmissions: deref(req.MaxSubmissions, 3), CandidateView: deref(req.CandidateView, store.ViewVisibleChecks),
	}
	if err := a.Store.CreateAssessment(c.Request.Context(), actor(c), &as); err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, as)
}

func (a *api) listAssessments(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		respondError(c, err)
		return
	}
	f := store.AssessmentFilter{IncludeArchived: c.Query("archived") == "true"}
	rows, next, err := a.Store.Assessments(c.Request.Context(), auth.Current(c).OrgID, f, p)
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, rows, next)
}

func (a *api) getAssessment(c *gin.Context) {
	as, err := a.Store.Assessment(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, as)
}

func (a *api) updateAssessment(c *gin.Context) {
	var req assessmentRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if req.Takehome != nil {
		respondError(c, badRequest("takehome cannot change; create a new assessment"))
		return
	}
	if err := req.validate(); err != nil {
		respondError(c, err)
		return
	}
	as, err := a.Store.UpdateAssessment(c.Request.Context(), actor(c), c.Param("id"), store.AssessmentChanges{
		Title: req.Title, Instructions: req.Instructions, HoursAllowed: req.HoursAllowed,
		MaxSubmissions: req.MaxSubmissions, CandidateView: req.CandidateView, Archived: req.Archived,
	})
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, as)
}

func (a *api) deleteAssessment(c *gin.Context) {
	if err := a.Store.DeleteAssessment(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
