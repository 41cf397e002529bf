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
	ctx, p0 := c.Request.Context(), auth.Current(c)
	rows, next, err := a.Store.Submissions(ctx, p0.OrgID, f, p)
	if err != nil {
		respondError(c, err)
		return
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	facts, err := a.Store.CandidateFactsOf(ctx, p0.OrgID, ids)
	if err != nil {
		respondError(c, err)
		return
	}
	for i := range rows {
		rows[i].RepoURL = candidate(facts[rows[i].ID], rows[i].RepoURL).ForViewer(p0.Role).RepoURL
	}
	list(c, rows, next)
}

// candidate is the blind-review view of a submission's candidate.
func candidate(f store.CandidateFacts, repoURL string) rules.Candidate {
	return rules.Candidate{Name: f.CandidateName, Email: f.CandidateEmail, RepoURL: repoURL,
		Number: f.CandidateNumber, BlindReview: f.BlindReview, Decided: f.Decided}
}

// submissionView is what reviewers read about a submission. Under blind
// review (rules.Candidate) the name is "Candidate 7" and the email and the
// repository's owner are left out.
type submissionView struct {
	store.Submission
	CandidateName   string              `json:"candidate_name"`
	CandidateEmail  string              `json:"candidate_email,omitempty"`
	CandidateNumber int                 `json:"candidate_number"`
	Blind           bool                `json:"blind"`
	Scorecard       json.RawMessage     `json:"scorecard"`
	Reviews         []store.Review      `json:"reviews"`
	Rubric          []store.Criterion   `json:"rubric"`
	RubricScores    []store.RubricScore `json:"rubric_scores"`
	RubricMean      *float64            `json:"rubric_mean"` // null until a reviewer scores
}

func (a *api) getSubmission(c *gin.Context) {
	ctx, p := c.Request.Context(), auth.Current(c)
	d, err := a.Store.Submission(ctx, p.OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	as, err := a.Store.Assessment(ctx, p.OrgID, d.Submission.AssessmentID)
	if err != nil {
		respondError(c, err)
		return
	}
	scores, err := a.Store.RubricScores(ctx, p.OrgID, []string{d.Submission.ID})
	if err != nil {
		respondError(c, err)
		return
	}
	who := rules.Candidate{Name: d.Invitation.CandidateName, Email: d.Invitation.CandidateEmail, RepoURL: d.Submission.RepoURL,
		Number: d.CandidateNumber, BlindReview: as.BlindReview, Decided: d.Decision() != nil}.ForViewer(p.Role)
	v := submissionView{Submission: d.Submission, CandidateName: who.Name, CandidateEmail: who.Email,
		CandidateNumber: d.CandidateNumber, Blind: who.Blind, Scorecard: d.Scorecard, Reviews: d.Reviews,
		Rubric: as.Criteria(), RubricScores: scores[d.Submission.ID]}
	v.Submission.RepoURL = who.RepoURL
	if v.Scorecard == nil {
		v.Scorecard = json.RawMessage("null")
	}
	if v.Reviews == nil {
		v.Reviews = []store.Review{}
	}
	if v.RubricScores == nil {
		v.RubricScores = []store.RubricScore{}
	}
	if m := store.MeanScores(v.Rubric, v.RubricScores); m.Reviewers > 0 {
		v.RubricMean = &m.Overall
	}
	c.JSON(http.StatusOK, v)
}

type reviewRequest struct {
	Decision string `json:"decision"`
	Notes    string `json:"notes"`
	// Change replaces a decision already recorded; only admins may.
	Change bool `json:"change"`
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
	record := a.Store.AddReview
	if req.Change {
		if !rules.In(rules.Admins, auth.Current(c).Role) {
			c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"error": "only an admin may change a decision"})
			return
		}
		record = a.Store.ChangeDecision
	}
	r, err := record(c.Request.Context(), actor(c), c.Param("id"), req.Decision, req.Notes)
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
