package api

import (
	"net/http"
	"strconv"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// codeRun reads ?run= (absent: the newest run that kept code).
func codeRun(c *gin.Context) (int, error) {
	v := c.Query("run")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, badRequest("run must be a run number (1, 2, ...), got %q", v)
	}
	return n, nil
}

// getCode returns the summary of a run's code: the files kept (without their
// text), what was left out and why, the facts and the history.
func (a *api) getCode(c *gin.Context) {
	run, err := codeRun(c)
	if err != nil {
		respondError(c, err)
		return
	}
	sum, err := a.Store.CodeSnapshot(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"), run)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, sum)
}

// getCodeFile returns one kept file of a run: ?path= (required) and ?run=.
func (a *api) getCodeFile(c *gin.Context) {
	run, err := codeRun(c)
	if err != nil {
		respondError(c, err)
		return
	}
	path := snapshot.CleanPath(c.Query("path"))
	if path == "" {
		respondError(c, badRequest("path must name a file of the snapshot"))
		return
	}
	ctx, org := c.Request.Context(), auth.Current(c).OrgID
	sum, err := a.Store.CodeSnapshot(ctx, org, c.Param("id"), run)
	if err != nil {
		respondError(c, err)
		return
	}
	files, err := a.Store.CodeFiles(ctx, org, c.Param("id"), sum.Run)
	if err != nil {
		respondError(c, err)
		return
	}
	for _, f := range files {
		if f.Path == path {
			c.JSON(http.StatusOK, gin.H{"run": sum.Run, "path": f.Path, "content": f.Content})
			return
		}
	}
	respondError(c, badRequest("run %d kept no file %q", sum.Run, path))
}

// listCodeComments lists the reviewers' line comments on a submission.
func (a *api) listCodeComments(c *gin.Context) {
	list, err := a.Store.CodeComments(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	if list == nil {
		list = []store.CodeComment{}
	}
	c.JSON(http.StatusOK, gin.H{"comments": list})
}

type codeCommentRequest struct {
	Run  int    `json:"run"` // 0: the newest run that kept code
	Path string `json:"path"`
	Line int    `json:"line"`
	Body string `json:"body"`
}

// addCodeComment records a reviewer's comment on a line of a kept file.
func (a *api) addCodeComment(c *gin.Context) {
	var req codeCommentRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if err := rules.Comment(req.Body); err != nil {
		respondError(c, err)
		return
	}
	if req.Run < 0 {
		respondError(c, badRequest("run must be a run number (1, 2, ...) or 0 for the newest"))
		return
	}
	cm, err := a.Store.AddCodeComment(c.Request.Context(), actor(c), c.Param("id"), req.Run, snapshot.CleanPath(req.Path), req.Line, req.Body)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, cm)
}
