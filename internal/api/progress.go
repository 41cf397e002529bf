package api

import (
	"net/http"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/progress"
	"github.com/gin-gonic/gin"
)

func (a *api) regrade(c *gin.Context) {
	sub, err := a.Store.RequestRegrade(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, sub)
}

func (a *api) cancel(c *gin.Context) {
	sub, err := a.Store.CancelSubmission(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, sub)
}

// submissionEvents streams a staff member's view of a submission's progress.
func (a *api) submissionEvents(c *gin.Context) {
	d, err := a.Store.Submission(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	progress.Stream(c.Writer, c.Request, a.Store, d.Submission.ID)
}

// candidateSubmissionEvents streams the same to the candidate who submitted.
func (a *api) candidateSubmissionEvents(c *gin.Context) {
	token, ok := candidateToken(c)
	if !ok {
		return
	}
	d, _, err := a.Store.CandidateSubmission(c.Request.Context(), token, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	progress.Stream(c.Writer, c.Request, a.Store, d.Submission.ID)
}
