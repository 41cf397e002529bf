package api

import (
	"net/http"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// rubricBody is an assessment's rubric: criteria scored 1 to 4, with what
// each level means.
type rubricBody struct {
	Criteria []store.Criterion `json:"criteria"`
}

func (a *api) getRubric(c *gin.Context) {
	as, err := a.Store.Assessment(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, rubricBody{Criteria: as.Criteria()})
}

// rubricRequest reads levels as a list, so a rubric with the wrong number
// of levels is refused rather than cut or padded.
type rubricRequest struct {
	Criteria []struct {
		Name   string   `json:"name"`
		Levels []string `json:"levels"`
	} `json:"criteria"`
}

func (a *api) putRubric(c *gin.Context) {
	var req rubricRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if req.Criteria == nil {
		respondError(c, badRequest("criteria is required (an empty list removes the rubric)"))
		return
	}
	criteria := make([]store.Criterion, len(req.Criteria))
	for i, cr := range req.Criteria {
		if len(cr.Levels) != store.RubricLevels {
			respondError(c, badRequest("criteria[%d].levels must describe the %d levels, 1 to %d", i, store.RubricLevels, store.RubricLevels))
			return
		}
		criteria[i] = store.Criterion{Name: cr.Name, Levels: [store.RubricLevels]string(cr.Levels)}
	}
	if err := rules.Rubric(criteria); err != nil {
		respondError(c, err)
		return
	}
	as, err := a.Store.SetRubric(c.Request.Context(), actor(c), c.Param("id"), criteria)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, rubricBody{Criteria: as.Criteria()})
}

type rubricScoresRequest struct {
	Scores map[string]int `json:"scores"`
	Notes  string         `json:"notes"`
}

// putRubricScores records the caller's own scores of a submission,
// replacing theirs from before.
func (a *api) putRubricScores(c *gin.Context) {
	var req rubricScoresRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if err := rules.Notes(req.Notes); err != nil {
		respondError(c, err)
		return
	}
	rs, err := a.Store.ScoreRubric(c.Request.Context(), actor(c), c.Param("id"), req.Scores, req.Notes)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, rs)
}
