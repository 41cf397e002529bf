package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/interview"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// registerInterviews adds the interview pages: the question bank, an
// assessment's kit, a candidate's interview and their decision page.
func (s *server) registerInterviews(staff *gin.RouterGroup, anyone gin.HandlerFunc) {
	kitBuilders := s.allow(rules.KitBuilders...)
	interviewers := s.allow(rules.Interviewers...)
	deciders := s.allow(rules.Reviewers...)
	staff.GET("/interview/questions", anyone, s.questions)
	staff.POST("/interview/questions", anyone, s.createQuestion)
	staff.GET("/interview/questions/:id/edit", anyone, s.editQuestion)
	staff.POST("/interview/questions/:id", anyone, s.updateQuestion)
	staff.POST("/interview/questions/:id/copy", anyone, s.copyQuestion)
	staff.POST("/interview/questions/:id/delete", anyone, s.deleteQuestion)
	staff.GET("/assessments/:id/kit", anyone, s.kit)
	staff.POST("/assessments/:id/kit", kitBuilders, s.saveKit)
	staff.POST("/assessments/:id/kit/add", kitBuilders, s.addToKit)
	staff.GET("/submissions/:id/interview", anyone, s.interviewPage)
	staff.POST("/submissions/:id/interview", interviewers, s.saveInterview)
	staff.GET("/submissions/:id/decision", anyone, s.decisionPage)
	staff.POST("/submissions/:id/decision", deciders, s.decide)
}

// defaultMinutes is a question's time when added to a kit.
const defaultMinutes = 10

// questionChoices are the filter's and the form's options.
type questionChoices struct {
	Levels, Kinds, Topics []string
}

var choices = questionChoices{Levels: interview.Levels, Kinds: interview.Kinds, Topics: interview.Topics}

// readFilter reads level, kind and topic from the query; unknown values
// are dropped (a filter link from an older release still shows a list).
func readFilter(c *gin.Context) interview.Filter {
	pick := func(v string, known []string) string {
		if slices.Contains(known, v) {
			return v
		}
		return ""
	}
	return interview.Filter{Level: pick(c.Query("level"), interview.Levels), Kind: pick(c.Query("kind"), interview.Kinds),
		Topic: pick(c.Query("topic"), interview.Topics)}
}

// questionForm is the add and edit form: lists one point per line.
type questionForm struct {
	Level, Kind, Topic, Prompt, Evaluates string
	StrongAnswer, RedFlags, FollowUps     string
	Error                                 string
}

func formOf(q interview.Question) questionForm {
	return questionForm{Level: q.Level, Kind: q.Kind, Topic: q.Topic, Prompt: q.Prompt, Evaluates: q.Evaluates,
		StrongAnswer: strings.Join(q.StrongAnswer, "\n"), RedFlags: strings.Join(q.RedFlags, "\n"), FollowUps: strings.Join(q.FollowUps, "\n")}
}

func readQuestionForm(c *gin.Context) (questionForm, store.QuestionFields) {
	f := questionForm{Level: c.PostForm("level"), Kind: c.PostForm("kind"), Topic: c.PostForm("topic"),
		Prompt: strings.TrimSpace(c.PostForm("prompt")), Evaluates: strings.TrimSpace(c.PostForm("evaluates")),
		StrongAnswer: c.PostForm("strong_answer"), RedFlags: c.PostForm("red_flags"), FollowUps: c.PostForm("follow_ups")}
	return f, store.QuestionFields{Level: f.Level, Kind: f.Kind, Topic: f.Topic, Prompt: f.Prompt, Evaluates: f.Evaluates,
		StrongAnswer: lines(f.StrongAnswer), RedFlags: lines(f.RedFlags), FollowUps: lines(f.FollowUps)}
}

// lines splits a textarea into its non-blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

type questionsData struct {
	Questions []interview.Question
	Filter    interview.Filter
	Choices   questionChoices
	Form      questionForm
	Total     int
}

func (s *server) questions(c *gin.Context) {
	s.renderQuestions(c, http.StatusOK, questionForm{Level: interview.Intermediate, Kind: interview.Technical})
}

func (s *server) renderQuestions(c *gin.Context, status int, form questionForm) {
	ctx := c.Request.Context()
	org := auth.Current(c).OrgID
	f := readFilter(c)
	qs, err := s.Store.Questions(ctx, org, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	all, err := s.Store.Questions(ctx, org, interview.Filter{})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, "questions", "Interview questions", questionsData{Questions: qs, Filter: f, Choices: choices, Form: form, Total: len(all)})
}

func (s *server) createQuestion(c *gin.Context) {
	form, fields := readQuestionForm(c)
	if err := rules.Question(fields); err != nil {
		form.Error = sentence(rules.Message(err))
		s.renderQuestions(c, http.StatusUnprocessableEntity, form)
		return
	}
	q, err := s.Store.CreateQuestion(c.Request.Context(), actor(c), fields)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/interview/questions#q-"+q.ID)
}

type questionEditData struct {
	ID      string
	Form    questionForm
	Choices questionChoices
}

func (s *server) editQuestion(c *gin.Context) {
	q, err := s.Store.Question(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if q.Shipped {
		s.render(c, http.StatusConflict, "error", "Shipped question", errorPage{Status: http.StatusConflict,
			Message: "Questions of the shipped bank cannot be edited: copy it, then edit the copy."})
		return
	}
	s.render(c, http.StatusOK, "question_edit", "Edit question", questionEditData{ID: q.ID, Form: formOf(q), Choices: choices})
}

func (s *server) updateQuestion(c *gin.Context) {
	form, fields := readQuestionForm(c)
	if err := rules.Question(fields); err != nil {
		form.Error = sentence(rules.Message(err))
		s.render(c, http.StatusUnprocessableEntity, "question_edit", "Edit question", questionEditData{ID: c.Param("id"), Form: form, Choices: choices})
		return
	}
	q, err := s.Store.UpdateQuestion(c.Request.Context(), actor(c), c.Param("id"), fields)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/interview/questions#q-"+q.ID)
}

func (s *server) copyQuestion(c *gin.Context) {
	q, err := s.Store.CopyQuestion(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/interview/questions/"+q.ID+"/edit")
}

func (s *server) deleteQuestion(c *gin.Context) {
	if err := s.Store.DeleteQuestion(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/interview/questions")
}

type kitData struct {
	Assessment *store.Assessment
	Kit        *store.Kit
	CanEdit    bool
	// Candidates are the questions offered to add: those the filter keeps
	// that are not in the kit yet.
	Candidates []interview.Question
	Filter     interview.Filter
	Choices    questionChoices
	Error      string
}

func (s *server) kit(c *gin.Context) { s.renderKit(c, http.StatusOK, "") }

func (s *server) renderKit(c *gin.Context, status int, problem string) {
	ctx := c.Request.Context()
	p := auth.Current(c)
	as, err := s.Store.Assessment(ctx, p.OrgID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	k, err := s.Store.Kit(ctx, p.OrgID, as.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := kitData{Assessment: as, Kit: k, CanEdit: rules.In(rules.KitBuilders, p.Role), Filter: readFilter(c), Choices: choices, Error: problem}
	if d.CanEdit {
		qs, err := s.Store.Questions(ctx, p.OrgID, d.Filter)
		if err != nil {
			s.fail(c, err)
			return
		}
		in := map[string]bool{}
		for _, it := range k.Items {
			in[it.Question.ID] = true
		}
		for _, q := range qs {
			if !in[q.ID] {
				d.Candidates = append(d.Candidates, q)
			}
		}
	}
	s.render(c, status, "kit", "Interview kit — "+as.Title, d)
}

// saveKit applies the kit form: each question's position and minutes, and
// the questions ticked for removal.
func (s *server) saveKit(c *gin.Context) {
	ids, positions, minutes := c.PostFormArray("question_id"), c.PostFormArray("position"), c.PostFormArray("minutes")
	if len(positions) != len(ids) || len(minutes) != len(ids) {
		s.renderKit(c, http.StatusBadRequest, "The kit form was incomplete; reload the page and try again.")
		return
	}
	remove := map[string]bool{}
	for _, id := range c.PostFormArray("remove") {
		remove[id] = true
	}
	type row struct {
		pos   int
		entry store.KitEntry
	}
	var rows []row
	for i, id := range ids {
		pos, err1 := strconv.Atoi(strings.TrimSpace(positions[i]))
		min, err2 := strconv.Atoi(strings.TrimSpace(minutes[i]))
		if err1 != nil || err2 != nil {
			s.renderKit(c, http.StatusUnprocessableEntity, "Positions and minutes are whole numbers.")
			return
		}
		if !remove[id] {
			rows = append(rows, row{pos, store.KitEntry{QuestionID: id, Minutes: min}})
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int { return cmp.Compare(a.pos, b.pos) })
	entries := make([]store.KitEntry, 0, len(rows))
	for _, r := range rows {
		entries = append(entries, r.entry)
	}
	s.setKit(c, entries)
}

// addToKit appends one question to the kit.
func (s *server) addToKit(c *gin.Context) {
	k, err := s.Store.Kit(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	entries := make([]store.KitEntry, 0, len(k.Items)+1)
	for _, it := range k.Items {
		entries = append(entries, store.KitEntry{QuestionID: it.Question.ID, Minutes: it.Minutes})
	}
	s.setKit(c, append(entries, store.KitEntry{QuestionID: c.PostForm("question_id"), Minutes: defaultMinutes}))
}

func (s *server) setKit(c *gin.Context, entries []store.KitEntry) {
	if err := rules.Kit(entries); err != nil {
		s.renderKit(c, http.StatusUnprocessableEntity, broken("The kit's", err))
		return
	}
	if _, err := s.Store.SetKit(c.Request.Context(), actor(c), c.Param("id"), entries); err != nil {
		if status, msg := rules.Status(err); status == http.StatusBadRequest {
			s.renderKit(c, http.StatusUnprocessableEntity, sentence(msg))
			return
		}
		s.fail(c, err)
		return
	}
	back := "/assessments/" + c.Param("id") + "/kit"
	if q := c.PostForm("filter"); q != "" {
		if v, err := url.ParseQuery(q); err == nil {
			back += "?" + v.Encode()
		}
	}
	c.Redirect(http.StatusSeeOther, back+"#kit")
}

// asked is one question of a candidate's interview with the signed-in
// interviewer's score so far.
type asked struct {
	Question interview.Question
	FollowUp *interview.FollowUp // set for a question written from the scorecard
	Minutes  int
	Score    store.InterviewScore
}

type interviewData struct {
	Detail     *store.SubmissionDetail
	Who        rules.Identity // the candidate as the viewer may see them (blind review)
	Assessment *store.Assessment
	Questions  []asked
	Minutes    int
	Notes      string
	CanScore   bool
	Ratings    []int
	Others     int // other interviewers' scorecards
}

// interviewQuestions are what an interviewer asks a candidate: the
// follow-ups written from their scorecard first, then the kit.
func (s *server) interviewQuestions(c *gin.Context) (*store.SubmissionDetail, *store.Assessment, []asked, bool) {
	ctx := c.Request.Context()
	org := auth.Current(c).OrgID
	d, as, err := s.submissionOf(c)
	if err != nil {
		s.fail(c, err)
		return nil, nil, nil, false
	}
	k, err := s.Store.Kit(ctx, org, as.ID)
	if err != nil {
		s.fail(c, err)
		return nil, nil, nil, false
	}
	var qs []asked
	if d.Scorecard != nil {
		if card, err := grading.ParseScorecard(d.Scorecard); err == nil {
			for _, f := range interview.FollowUps(card) {
				qs = append(qs, asked{Question: f.Question(), FollowUp: &f, Minutes: 5})
			}
		}
	}
	for _, it := range k.Items {
		qs = append(qs, asked{Question: it.Question, Minutes: it.Minutes})
	}
	return d, as, qs, true
}

func (s *server) interviewPage(c *gin.Context) {
	d, as, qs, ok := s.interviewQuestions(c)
	if !ok {
		return
	}
	p := auth.Current(c)
	ivs, err := s.Store.Interviews(c.Request.Context(), p.OrgID, d.Submission.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	data := interviewData{Detail: d, Who: identity(c, d, as), Assessment: as, CanScore: rules.In(rules.Interviewers, p.Role),
		Ratings: []int{interview.RatingMin, 2, 3, interview.RatingMax}}
	for _, iv := range ivs {
		if iv.InterviewerID != p.UserID {
			data.Others++
			continue
		}
		data.Notes = iv.Notes
		for i := range qs {
			for _, sc := range iv.Scores {
				if sc.QuestionID == qs[i].Question.ID {
					qs[i].Score = sc
				}
			}
		}
	}
	for _, q := range qs {
		data.Minutes += q.Minutes
	}
	data.Questions = qs
	s.render(c, http.StatusOK, "interview", "Interview — "+data.Who.Name, data)
}

// saveInterview reads a rating ("rating-N", 0 for not asked) and a note
// ("note-N") for each question N of the page, in the page's order.
func (s *server) saveInterview(c *gin.Context) {
	d, _, qs, ok := s.interviewQuestions(c)
	if !ok {
		return
	}
	var scores []store.InterviewScore
	for i, q := range qs {
		n := strconv.Itoa(i)
		if c.PostForm("question-"+n) != q.Question.ID {
			s.render(c, http.StatusConflict, "error", "The interview changed", errorPage{Status: http.StatusConflict,
				Message: "The interview's questions changed while you were scoring (the kit was edited or the submission regraded). Copy your notes, reload the page and save again."})
			return
		}
		rating, _ := strconv.Atoi(c.PostForm("rating-" + n))
		note := strings.TrimSpace(c.PostForm("note-" + n))
		if rating == 0 && note == "" {
			continue
		}
		scores = append(scores, store.InterviewScore{QuestionID: q.Question.ID, Prompt: q.Question.Prompt, Rating: rating, Note: note})
	}
	notes := strings.TrimSpace(c.PostForm("notes"))
	if err := rules.InterviewScores(scores, notes); err != nil {
		s.render(c, http.StatusUnprocessableEntity, "error", "Interview not saved", errorPage{Status: http.StatusUnprocessableEntity,
			Message: sentence(rules.Message(err))})
		return
	}
	if _, err := s.Store.SaveInterview(c.Request.Context(), actor(c), auth.Current(c).Email, d.Submission.ID, scores, notes); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/submissions/"+d.Submission.ID+"/decision#interviews")
}

// interviewSummary is one interviewer's scorecard as the decision page shows it.
type interviewSummary struct {
	store.Interview
	Rated int
	Mean  string
}

type decisionData struct {
	Detail     *store.SubmissionDetail
	Who        rules.Identity // the candidate as the viewer may see them (blind review)
	Assessment *store.Assessment
	Card       *grading.Scorecard
	Interviews []interviewSummary
	Decisions  []string
	CanDecide  bool
}

func (s *server) decisionPage(c *gin.Context) {
	ctx := c.Request.Context()
	p := auth.Current(c)
	d, as, err := s.submissionOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ivs, err := s.Store.Interviews(ctx, p.OrgID, d.Submission.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	data := decisionData{Detail: d, Who: identity(c, d, as), Assessment: as, Decisions: store.Decisions, CanDecide: rules.In(rules.Reviewers, p.Role)}
	if d.Scorecard != nil {
		if card, err := grading.ParseScorecard(d.Scorecard); err == nil {
			data.Card = card
		}
	}
	for _, iv := range ivs {
		n, mean := iv.Rated()
		sum := interviewSummary{Interview: iv, Rated: n, Mean: "—"}
		if n > 0 {
			sum.Mean = strconv.FormatFloat(mean, 'f', 1, 64)
		}
		data.Interviews = append(data.Interviews, sum)
	}
	s.render(c, http.StatusOK, "decision", "Decision — "+data.Who.Name, data)
}

// decide records a decision from the decision page and comes back to it.
func (s *server) decide(c *gin.Context) {
	decision, notes := c.PostForm("decision"), c.PostForm("notes")
	if err := cmp.Or(rules.Decision(decision), rules.Notes(notes)); err != nil {
		s.render(c, http.StatusUnprocessableEntity, "error", "Decision refused", errorPage{Status: http.StatusUnprocessableEntity,
			Message: sentence(err.Error())})
		return
	}
	if _, err := s.Store.AddReview(c.Request.Context(), actor(c), c.Param("id"), decision, notes); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/submissions/"+c.Param("id")+"/decision#decision")
}
