package api

import (
	"net/http"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/similarity"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

type assessmentRequest struct {
	Takehome *string `json:"takehome"`
	// TakehomeVersion pins a version of the organisation's own take-home
	// (default: its newest issuable one).
	TakehomeVersion *int    `json:"takehome_version"`
	Title           *string `json:"title"`
	Instructions    *string `json:"instructions"`
	HoursAllowed    *int    `json:"hours_allowed"`
	MaxSubmissions  *int    `json:"max_submissions"`
	CandidateView   *string `json:"candidate_view"`
	GradingMode     *string `json:"grading_mode"`
	BlindReview     *bool   `json:"blind_review"`
	Archived        *bool   `json:"archived"`
	// SimilarityThreshold flags submissions sharing this share of their code.
	SimilarityThreshold *float64 `json:"similarity_threshold"`
}

// validate checks the fields that are present.
func (r *assessmentRequest) validate() error {
	if r.Title != nil {
		*r.Title = strings.TrimSpace(*r.Title)
	}
	for _, err := range []error{check(r.Title, rules.Title), check(r.Instructions, rules.Instructions),
		check(r.HoursAllowed, rules.HoursAllowed), check(r.MaxSubmissions, rules.MaxSubmissions),
		check(r.CandidateView, rules.CandidateView), check(r.GradingMode, rules.GradingMode),
		check(r.SimilarityThreshold, rules.SimilarityThreshold)} {
		if err != nil {
			return err
		}
	}
	return nil
}

// check applies a rule to a field that is present.
func check[T any](p *T, rule func(T) error) error {
	if p == nil {
		return nil
	}
	return rule(*p)
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
	if err := req.validate(); err != nil {
		respondError(c, err)
		return
	}
	suiteVersion, pin, err := a.pinFor(c, *req.Takehome, req.TakehomeVersion)
	if err != nil {
		respondError(c, err)
		return
	}
	as := store.Assessment{
		Takehome: *req.Takehome, SuiteVersion: suiteVersion, TakehomeVersionID: pin, Title: *req.Title,
		Instructions: deref(req.Instructions, ""), HoursAllowed: deref(req.HoursAllowed, rules.DefaultHours),
		MaxSubmissions: deref(req.MaxSubmissions, rules.DefaultAttempts), CandidateView: deref(req.CandidateView, rules.DefaultCandidateView),
		GradingMode: deref(req.GradingMode, rules.DefaultGradingMode), BlindReview: deref(req.BlindReview, false),
		SimilarityThreshold: deref(req.SimilarityThreshold, similarity.DefaultThreshold),
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
	if req.Takehome != nil || req.TakehomeVersion != nil {
		respondError(c, badRequest("takehome cannot change; create a new assessment"))
		return
	}
	if err := req.validate(); err != nil {
		respondError(c, err)
		return
	}
	as, err := a.Store.UpdateAssessment(c.Request.Context(), actor(c), c.Param("id"), store.AssessmentChanges{
		Title: req.Title, Instructions: req.Instructions, HoursAllowed: req.HoursAllowed,
		MaxSubmissions: req.MaxSubmissions, CandidateView: req.CandidateView, GradingMode: req.GradingMode, BlindReview: req.BlindReview, Archived: req.Archived,
		SimilarityThreshold: req.SimilarityThreshold,
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
