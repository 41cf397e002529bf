package api

import (
	"net/http"
	"slices"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/interview"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// registerInterviews adds the interview routes: the question bank (every
// staff member reads it and writes the organisation's own questions), kits
// (kit builders), follow-ups and interview scorecards (interviewers score).
func (a *api) registerInterviews(staff *gin.RouterGroup, anyone gin.HandlerFunc) {
	kitBuilders := auth.Require(rules.KitBuilders...)
	interviewers := auth.Require(rules.Interviewers...)
	staff.GET("/interview/questions", anyone, a.listQuestions)
	staff.POST("/interview/questions", anyone, a.createQuestion)
	staff.GET("/interview/questions/:id", anyone, a.getQuestion)
	staff.PUT("/interview/questions/:id", anyone, a.updateQuestion)
	staff.DELETE("/interview/questions/:id", anyone, a.deleteQuestion)
	staff.POST("/interview/questions/:id/copy", anyone, a.copyQuestion)
	staff.GET("/assessments/:id/kit", anyone, a.getKit)
	staff.PUT("/assessments/:id/kit", kitBuilders, a.setKit)
	staff.GET("/submissions/:id/interview-kit", anyone, a.submissionKit)
	staff.GET("/submissions/:id/interviews", anyone, a.listInterviews)
	staff.PUT("/submissions/:id/interviews/mine", interviewers, a.saveInterview)
}

// questionFilter reads level, kind and topic; an unknown value is a 400,
// not an empty list.
func questionFilter(c *gin.Context) (interview.Filter, error) {
	f := interview.Filter{Level: c.Query("level"), Kind: c.Query("kind"), Topic: c.Query("topic")}
	for name, v := range map[string]struct {
		value string
		known []string
	}{"level": {f.Level, interview.Levels}, "kind": {f.Kind, interview.Kinds}, "topic": {f.Topic, interview.Topics}} {
		if v.value != "" && !slices.Contains(v.known, v.value) {
			return f, badRequest("%s must be one of %v", name, v.known)
		}
	}
	return f, nil
}

func (a *api) listQuestions(c *gin.Context) {
	f, err := questionFilter(c)
	if err != nil {
		respondError(c, err)
		return
	}
	qs, err := a.Store.Questions(c.Request.Context(), auth.Current(c).OrgID, f)
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, qs, "")
}

func (a *api) getQuestion(c *gin.Context) {
	q, err := a.Store.Question(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

type questionRequest struct {
	Level        string   `json:"level"`
	Kind         string   `json:"kind"`
	Topic        string   `json:"topic"`
	Prompt       string   `json:"prompt"`
	Evaluates    string   `json:"evaluates"`
	StrongAnswer []string `json:"strong_answer"`
	RedFlags     []string `json:"red_flags"`
	FollowUps    []string `json:"follow_ups"`
}

func (a *api) readQuestion(c *gin.Context) (store.QuestionFields, bool) {
	var req questionRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return store.QuestionFields{}, false
	}
	f := store.QuestionFields{Level: req.Level, Kind: req.Kind, Topic: req.Topic, Prompt: req.Prompt, Evaluates: req.Evaluates,
		StrongAnswer: req.StrongAnswer, RedFlags: req.RedFlags, FollowUps: req.FollowUps}
	if err := rules.Question(f); err != nil {
		respondError(c, err)
		return f, false
	}
	return f, true
}

func (a *api) createQuestion(c *gin.Context) {
	f, ok := a.readQuestion(c)
	if !ok {
		return
	}
	q, err := a.Store.CreateQuestion(c.Request.Context(), actor(c), f)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, q.Question())
}

func (a *api) updateQuestion(c *gin.Context) {
	f, ok := a.readQuestion(c)
	if !ok {
		return
	}
	q, err := a.Store.UpdateQuestion(c.Request.Context(), actor(c), c.Param("id"), f)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, q.Question())
}

func (a *api) deleteQuestion(c *gin.Context) {
	if err := a.Store.DeleteQuestion(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *api) copyQuestion(c *gin.Context) {
	q, err := a.Store.CopyQuestion(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, q.Question())
}

func (a *api) getKit(c *gin.Context) {
	k, err := a.Store.Kit(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, k)
}

func (a *api) setKit(c *gin.Context) {
	var req struct {
		Items []store.KitEntry `json:"items"`
	}
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if err := rules.Kit(req.Items); err != nil {
		respondError(c, err)
		return
	}
	k, err := a.Store.SetKit(c.Request.Context(), actor(c), c.Param("id"), req.Items)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, k)
}

// submissionKit is what an interviewer asks a candidate: the follow-ups
// written from their scorecard, then the assessment's kit.
func (a *api) submissionKit(c *gin.Context) {
	ctx := c.Request.Context()
	org := auth.Current(c).OrgID
	d, err := a.Store.Submission(ctx, org, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	k, err := a.Store.Kit(ctx, org, d.Submission.AssessmentID)
	if err != nil {
		respondError(c, err)
		return
	}
	followUps := []interview.FollowUp{}
	if d.Scorecard != nil {
		if card, err := grading.ParseScorecard(d.Scorecard); err == nil {
			followUps = append(followUps, interview.FollowUps(card)...)
		}
	}
	c.JSON(http.StatusOK, gin.H{"follow_ups": followUps, "kit": k})
}

func (a *api) listInterviews(c *gin.Context) {
	ivs, err := a.Store.Interviews(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, ivs, "")
}

func (a *api) saveInterview(c *gin.Context) {
	var req struct {
		Scores []store.InterviewScore `json:"scores"`
		Notes  string                 `json:"notes"`
	}
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if err := rules.InterviewScores(req.Scores, req.Notes); err != nil {
		respondError(c, err)
		return
	}
	iv, err := a.Store.SaveInterview(c.Request.Context(), actor(c), auth.Current(c).Email, c.Param("id"), req.Scores, req.Notes)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, iv)
}
