package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/mail"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// candidateToken reads the invite token; a request without one is refused
// before any lookup.
func candidateToken(c *gin.Context) (string, bool) {
	t := auth.BearerToken(c.Request)
	if t == "" || len(t) > 100 {
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "send your invitation token as 'Authorization: Bearer TOKEN'"})
		return "", false
	}
	return t, true
}

func (a *api) candidate(c *gin.Context) {
	token, ok := candidateToken(c)
	if !ok {
		return
	}
	v, err := a.Store.OpenInvitation(c.Request.Context(), token)
	if err != nil {
		respondError(c, err)
		return
	}
	th, _, err := a.Catalog.OfAssessment(c.Request.Context(), a.Store, &v.Assessment)
	if err != nil {
		respondError(c, err)
		return
	}
	starter := a.BaseURL + "/takehomes/" + v.Assessment.Takehome + "/starter.zip"
	if th.Custom {
		// An organisation's own kit is its bundle's, served to its candidates only.
		starter = a.BaseURL + "/c/" + token + "/starter.zip"
	}
	left := max(v.AttemptsAllowed-v.Attempts, 0)
	if v.Invitation.ExpiresAt != nil && time.Now().After(*v.Invitation.ExpiresAt) {
		left = 0
	}
	c.JSON(http.StatusOK, gin.H{
		"candidate_name": v.Invitation.CandidateName,
		"state":          v.Invitation.State,
		"assessment": gin.H{
			"title": v.Assessment.Title, "takehome": v.Assessment.Takehome,
			"instructions": v.Assessment.Instructions, "hours_allowed": v.Assessment.HoursAllowed,
		},
		"brief":            th.Brief,
		"starter_kit_url":  starter,
		"opened_at":        v.Invitation.OpenedAt,
		"deadline":         v.Invitation.ExpiresAt,
		"attempts_used":    v.Attempts,
		"attempts_allowed": v.AttemptsAllowed,
		"attempts_left":    left,
	})
}

type submitRequest struct {
	RepoURL string `json:"repo_url"`
	Ref     string `json:"ref"`
	// Final is the candidate saying this is their last submission: an ATS
	// that sent the invitation hears of the result once it is graded.
	Final bool `json:"final"`
}

func (a *api) candidateSubmit(c *gin.Context) {
	token, ok := candidateToken(c)
	if !ok {
		return
	}
	var req submitRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	repo, err := a.Intake.RepoURL(req.RepoURL)
	if err != nil {
		respondError(c, err)
		return
	}
	if err := intake.Ref(req.Ref); err != nil {
		respondError(c, err)
		return
	}
	// Asked before anything is stored: a mistyped URL or branch costs no attempt.
	if err := a.Intake.Reachable(c.Request.Context(), repo, req.Ref); err != nil {
		respondError(c, err)
		return
	}
	sub, err := a.Store.SubmitWithReceipt(c.Request.Context(), token, repo, req.Ref, req.Final, mail.Receipt)
	if err != nil {
		respondError(c, err)
		return
	}
	if a.Metrics != nil {
		a.Metrics.submissionsReceived.Inc()
	}
	c.JSON(http.StatusAccepted, candidateSubmissionView(sub, nil, grading.ViewNothing))
}

func (a *api) candidateSubmission(c *gin.Context) {
	token, ok := candidateToken(c)
	if !ok {
		return
	}
	d, as, err := a.Store.CandidateSubmission(c.Request.Context(), token, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, candidateSubmissionView(&d.Submission, d.Scorecard, as.CandidateView))
}

// candidateSubmission is what a candidate reads of one submission: its
// status always, and of its scorecard what grading's ForCandidate shares
// under the assessment's candidate view (its fields inline; none when nothing
// is shared).
type candidateSubmission struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	Attempt    int        `json:"attempt"`
	RepoURL    string     `json:"repo_url"`
	Ref        string     `json:"ref"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
	// CountsAsAttempt is false when grading ended on the platform's fault
	// (status error): the attempt is given back.
	CountsAsAttempt bool `json:"counts_as_attempt"`
	*grading.CandidateScorecard
}

func candidateSubmissionView(s *store.Submission, scorecard json.RawMessage, view string) candidateSubmission {
	out := candidateSubmission{ID: s.ID, Status: s.Status, Attempt: s.Attempt, RepoURL: s.RepoURL, Ref: s.Ref,
		CreatedAt: s.CreatedAt, FinishedAt: s.FinishedAt, CountsAsAttempt: s.Status != store.StatusError}
	if scorecard == nil {
		return out
	}
	var card grading.Scorecard
	if err := json.Unmarshal(scorecard, &card); err != nil {
		slog.Error("read stored scorecard", "submission", s.ID, "err", err)
		return out
	}
	out.CandidateScorecard = card.ForCandidate(view, s.SharedAt != nil)
	return out
}
