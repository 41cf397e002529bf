package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

func (a *api) listSubmissions(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		respondError(c, err)
		return
	}
	f := store.SubmissionFilter{AssessmentID: c.Query("assessment_id"), Status: c.Query("status")}
	if f.Status != "" && !slices.Contains(store.SubmissionStatuses, f.Status) {
		respondError(c, badRequest("status must be one of %s", strings.Join(store.SubmissionStatuses, ", ")))
		return
	}
	rows, next, err := a.Store.Submissions(c.Request.Context(), auth.Current(c).OrgID, f, p)
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, rows, next)
}

// submissionView is what reviewers read about a submission.
type submissionView struct {
	store.Submission
	CandidateName  string          `json:"candidate_name"`
	CandidateEmail string          `json:"candidate_email"`
	Scorecard      json.RawMessage `json:"scorecard"`
	Reviews        []store.Review  `json:"reviews"`
}

func (a *api) getSubmission(c *gin.Context) {
	d, err := a.Store.Submission(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	v := submissionView{Submission: d.Submission, CandidateName: d.Invitation.CandidateName,
		CandidateEmail: d.Invitation.CandidateEmail, Scorecard: d.Scorecard, Reviews: d.Reviews}
	if v.Scorecard == nil {
		v.Scorecard = json.RawMessage("null")
	}
	if v.Reviews == nil {
		v.Reviews = []store.Review{}
	}
	c.JSON(http.StatusOK, v)
}

type reviewRequest struct {
	Decision string `json:"decision"`
	Notes    string `json:"notes"`
}

func (a *api) addReview(c *gin.Context) {
	var req reviewRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if err := rules.Decision(req.Decision); err != nil {
		respondError(c, err)
		return
	}
	if err := rules.Notes(req.Notes); err != nil {
		respondError(c, err)
		return
	}
	r, err := a.Store.AddReview(c.Request.Context(), actor(c), c.Param("id"), req.Decision, req.Notes)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, r)
}

// listRuns lists a submission's kept grading runs, newest first (no scorecards).
func (a *api) listRuns(c *gin.Context) {
	runs, err := a.Store.SubmissionRuns(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	if runs == nil {
		runs = []store.RunResult{}
	}
	c.JSON(http.StatusOK, gin.H{"runs": runs})
}

// getRun returns one kept run with its scorecard: phases and their output tails,
// the schema dump, each check's evidence.
func (a *api) getRun(c *gin.Context) {
	run, err := strconv.Atoi(c.Param("run"))
	if err != nil || run < 1 {
		respondError(c, badRequest("run must be a run number (1, 2, ...), got %q", c.Param("run")))
		return
	}
	r, err := a.Store.SubmissionRun(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"), run)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// shareScorecard shows the candidate every check of a graded submission
// (never the evidence), as the brief promises once reviewers share it.
func (a *api) shareScorecard(c *gin.Context) {
	sub, err := a.Store.ShareScorecard(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, sub)
}
