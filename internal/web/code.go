package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// codeLineView is a highlighted line with the comments made on it.
type codeLineView struct {
	codeLine
	Comments []store.CodeComment
}

type codePageData struct {
	Detail     *store.SubmissionDetail
	Who        rules.Identity // the candidate as the viewer may see them (blind review)
	Assessment *store.Assessment
	Code       *store.CodeSummary // nil: the run kept no code
	Tree       *codeDir
	Path       string
	Lines      []codeLineView
	Line       int // the line the comment form starts on (?line=)
	CanComment bool
	Error      string // why the comment just posted was refused
}

// FileURL is the browser's address of a file of the run shown, at a line.
func (d codePageData) FileURL(path string, line int) string {
	q := url.Values{"path": {path}, "run": {strconv.Itoa(d.Code.Run)}}
	if line > 0 {
		q.Set("line", strconv.Itoa(line))
	}
	return "/submissions/" + d.Detail.Submission.ID + "/code?" + q.Encode()
}

// codeRun reads ?run= (absent: the newest run that kept code).
func codeRun(c *gin.Context) (int, error) {
	v := c.Query("run")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%w: a run is a number from 1", store.ErrInvalid)
	}
	return n, nil
}

// loadCode loads the submission (of the caller's organisation: 404 otherwise)
// and the summary of the run asked for; Code stays nil when it kept none.
func (s *server) loadCode(c *gin.Context) (*codePageData, error) {
	ctx := c.Request.Context()
	p := auth.Current(c)
	d, as, err := s.submissionOf(c)
	if err != nil {
		return nil, err
	}
	run, err := codeRun(c)
	if err != nil {
		return nil, err
	}
	data := &codePageData{Detail: d, Assessment: as, Who: identity(c, d, as), CanComment: rules.In(rules.Reviewers, p.Role)}
	code, err := s.Store.CodeSnapshot(ctx, p.OrgID, d.Submission.ID, run)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return data, nil
	case err != nil:
		return nil, err
	}
	data.Code = code
	return data, nil
}

// codePage is the code browser: the tree, one file highlighted with its
// line comments, and the comment form.
func (s *server) codePage(c *gin.Context) {
	data, err := s.loadCode(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if data.Code != nil {
		status, err = s.showFile(c, data, c.Query("path"))
		if err != nil {
			s.fail(c, err)
			return
		}
	}
	s.render(c, status, "code", "Code — "+data.Who.Name, data)
}

// showFile fills in the file asked for (default: the README, else the first
// file), its lines and their comments.
func (s *server) showFile(c *gin.Context, data *codePageData, asked string) (int, error) {
	code := data.Code
	path := snapshot.CleanPath(asked)
	if asked == "" {
		path = code.Facts.Readme
		if path == "" && len(code.Index) > 0 {
			path = code.Index[0].Path
		}
	}
	data.Tree = codeTree(code.Index, path, "/submissions/"+data.Detail.Submission.ID+"/code?run="+strconv.Itoa(code.Run)+"&path=")
	if path == "" {
		return http.StatusOK, nil // nothing was kept
	}
	if code.Lines(path) < 0 {
		data.Error = "This file is not in the snapshot of run " + strconv.Itoa(code.Run) + skippedBecause(code, path) + "."
		return http.StatusNotFound, nil
	}
	ctx := c.Request.Context()
	org := auth.Current(c).OrgID
	files, err := s.Store.CodeFiles(ctx, org, data.Detail.Submission.ID, code.Run)
	if err != nil {
		return 0, err
	}
	var content string
	for _, f := range files {
		if f.Path == path {
			content = f.Content
		}
	}
	lines, err := highlight(path, content)
	if err != nil {
		return 0, err
	}
	comments, err := s.Store.CodeComments(ctx, org, data.Detail.Submission.ID)
	if err != nil {
		return 0, err
	}
	byLine := map[int][]store.CodeComment{}
	for _, cm := range comments {
		if cm.Run == code.Run && cm.Path == path {
			byLine[cm.Line] = append(byLine[cm.Line], cm)
		}
	}
	data.Path = path
	for _, l := range lines {
		data.Lines = append(data.Lines, codeLineView{codeLine: l, Comments: byLine[l.N]})
	}
	data.Line, _ = strconv.Atoi(c.Query("line"))
	if data.Line < 1 || data.Line > len(lines) {
		data.Line = 1
	}
	return http.StatusOK, nil
}

// skippedBecause says why the snapshot left path out, if it did.
func skippedBecause(code *store.CodeSummary, path string) string {
	for _, sk := range code.Skipped {
		if sk.Path == path {
			return ": it was skipped (" + sk.Reason + ")"
		}
	}
	return ""
}

type codeDiffData struct {
	Detail  *store.SubmissionDetail
	Who     rules.Identity
	Code    *store.CodeSummary
	Starter bool
	Diffs   []fileDiff
}

// codeDiff compares the run's files with the take-home's starter kit.
func (s *server) codeDiff(c *gin.Context) {
	data, err := s.loadCode(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx, org, as := c.Request.Context(), auth.Current(c).OrgID, data.Assessment
	out := codeDiffData{Detail: data.Detail, Who: data.Who, Code: data.Code}
	kit, err := s.starterOf(ctx, as)
	if err != nil {
		s.fail(c, err)
		return
	}
	if kit != nil && data.Code != nil {
		files, err := s.Store.CodeFiles(ctx, org, data.Detail.Submission.ID, data.Code.Run)
		if err != nil {
			s.fail(c, err)
			return
		}
		out.Starter = true
		if out.Diffs, err = starterDiff(kit, files); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.render(c, http.StatusOK, "code_diff", "Changes — "+data.Who.Name, out)
}

// addCodeComment records a reviewer's comment on a line and returns to it.
func (s *server) addCodeComment(c *gin.Context) {
	run, err := strconv.Atoi(c.PostForm("run"))
	if err != nil {
		s.fail(c, fmt.Errorf("%w: the run is missing", store.ErrInvalid))
		return
	}
	line, err := strconv.Atoi(c.PostForm("line"))
	if err != nil {
		s.fail(c, fmt.Errorf("%w: the line must be a number", store.ErrInvalid))
		return
	}
	body, path := c.PostForm("body"), snapshot.CleanPath(c.PostForm("path"))
	if err := rules.Comment(body); err != nil {
		s.fail(c, fmt.Errorf("%w: %s", store.ErrInvalid, brokenRule("the comment", err)))
		return
	}
	cm, err := s.Store.AddCodeComment(c.Request.Context(), actor(c), c.Param("id"), run, path, line, body)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := url.Values{"path": {cm.Path}, "run": {strconv.Itoa(cm.Run)}}
	c.Redirect(http.StatusSeeOther, "/submissions/"+c.Param("id")+"/code?"+q.Encode()+"#L"+strconv.Itoa(cm.Line))
}
