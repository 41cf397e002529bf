package api

import (
	"net/http"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// registerSimilarity adds the similarity routes: every staff role reads a
// submission's matches and a pair's fragments (ids only: no candidate is
// named, so blind review has nothing to hide here), reviewers mark a pair
// "reviewed: not a concern", admins keep the known solutions.
func (a *api) registerSimilarity(staff *gin.RouterGroup, anyone, reviewers, admins gin.HandlerFunc) {
	staff.GET("/submissions/:id/similarity", anyone, a.getSimilarity)
	staff.GET("/submissions/:id/similarity/:other", anyone, a.getSimilarityPair)
	staff.POST("/submissions/:id/similarity/:other/mark", reviewers, a.markSimilarity(true))
	staff.DELETE("/submissions/:id/similarity/:other/mark", reviewers, a.markSimilarity(false))
	staff.GET("/known-solutions", admins, a.listKnownSolutions)
	staff.POST("/known-solutions", admins, a.addKnownSolution)
	staff.GET("/known-solutions/:id", admins, a.getKnownSolution)
	staff.DELETE("/known-solutions/:id", admins, a.deleteKnownSolution)
	staff.POST("/known-solutions/:id/refetch", admins, a.refetchKnownSolution)
}

// getSimilarity lists a submission's closest matches with the assessment's
// threshold; "flagged" says which reach it unmarked.
func (a *api) getSimilarity(c *gin.Context) {
	matches, threshold, err := a.Store.SubmissionSimilarity(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	if matches == nil {
		matches = []store.SimilarityMatch{}
	}
	c.JSON(http.StatusOK, gin.H{"threshold": threshold, "items": matches})
}

// getSimilarityPair is one match with its fragments, from the submission's side.
func (a *api) getSimilarityPair(c *gin.Context) {
	m, err := a.Store.SimilarityPair(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"), c.Param("other"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

// markSimilarity records (POST) or withdraws (DELETE) "reviewed: not a
// concern" on a pair; audited by the store.
func (a *api) markSimilarity(reviewed bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		m, err := a.Store.MarkSimilarity(c.Request.Context(), actor(c), c.Param("id"), c.Param("other"), reviewed)
		if err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusOK, m)
	}
}

func (a *api) listKnownSolutions(c *gin.Context) {
	takehome := c.Query("takehome")
	if _, ok := a.Catalog.Takehome(takehome); takehome != "" && !ok {
		respondError(c, badRequest("unknown takehome %q; GET /api/v1/takehomes lists them", takehome))
		return
	}
	rows, err := a.Store.KnownSolutions(c.Request.Context(), auth.Current(c).OrgID, takehome)
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, rows, "")
}

type knownSolutionRequest struct {
	Takehome string `json:"takehome"`
	RepoURL  string `json:"repo_url"`
}

// addKnownSolution registers a public solution by repository URL. The URL
// passes the policy a candidate's does (hosts, https, no credentials) and,
// when a probe is wired, must be a reachable public repository; the
// similarity task fetches it through gitfetch, which checks the address it
// connects to again.
func (a *api) addKnownSolution(c *gin.Context) {
	var req knownSolutionRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if _, ok := a.Catalog.Takehome(req.Takehome); !ok {
		respondError(c, badRequest("unknown takehome %q; GET /api/v1/takehomes lists them", req.Takehome))
		return
	}
	repo, err := a.Intake.RepoURL(strings.TrimSpace(req.RepoURL))
	if err != nil {
		respondError(c, err)
		return
	}
	if err := a.Intake.Reachable(c.Request.Context(), repo, ""); err != nil {
		respondError(c, err)
		return
	}
	k, err := a.Store.AddKnownSolution(c.Request.Context(), actor(c), req.Takehome, repo)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, k)
}

func (a *api) getKnownSolution(c *gin.Context) {
	k, err := a.Store.KnownSolution(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, k)
}

func (a *api) deleteKnownSolution(c *gin.Context) {
	if err := a.Store.DeleteKnownSolution(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// refetchKnownSolution fetches a known solution again (202: the task does it).
func (a *api) refetchKnownSolution(c *gin.Context) {
	k, err := a.Store.RefetchKnownSolution(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, k)
}
