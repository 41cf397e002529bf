package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// shareScorecard shows the candidate every check of a graded submission,
// hidden ones too (never the evidence), as the take-home brief promises
// once the reviewers share the full scorecard. Audited by the store.
func (s *server) shareScorecard(c *gin.Context) {
	if _, err := s.Store.ShareScorecard(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/submissions/"+c.Param("id"))
}
