package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/progress"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// checkView is a check as the reviewer's page shows it, evidence laid out.
type checkView struct {
	grading.CheckResult
	Files []codeRef // the files of the run's code it concerns, where known
}

// exchange is one recorded HTTP request and response (evidence "exchanges").
type exchange struct {
	Method       string `json:"method"`
	Path         string `json:"path"`
	RequestBody  string `json:"request_body"`
	Status       int    `json:"status"`
	ContentType  string `json:"content_type"`
	ResponseBody string `json:"response_body"`
	Error        string `json:"error"`
	DurationMS   int64  `json:"duration_ms"`
}

// evidenceItem is one piece of a check's evidence, shaped for display:
// HTTP exchanges as requests and responses, numbers and short strings
// inline, anything larger as indented JSON or text in a <pre>.
type evidenceItem struct {
	Key       string
	Inline    string
	Block     string
	Exchanges []exchange
}

func (c checkView) EvidenceItems() []evidenceItem {
	keys := make([]string, 0, len(c.Evidence))
	for k := range c.Evidence {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// The HTTP exchanges go last: they are the longest.
	sort.SliceStable(keys, func(i, j int) bool { return keys[j] == "exchanges" && keys[i] != "exchanges" })
	var out []evidenceItem
	for _, k := range keys {
		raw, err := json.Marshal(c.Evidence[k])
		if err != nil {
			raw = []byte(fmt.Sprint(c.Evidence[k]))
		}
		it := evidenceItem{Key: k}
		var xs []exchange
		var str string
		switch {
		case k == "exchanges" && json.Unmarshal(raw, &xs) == nil:
			it.Exchanges = xs
		case json.Unmarshal(raw, &str) == nil:
			if strings.Contains(str, "\n") || len(str) > 120 {
				it.Block = str
			} else {
				it.Inline = str
			}
		case len(raw) <= 80 && !bytes.ContainsAny(raw, "{["):
			it.Inline = string(raw)
		default:
			var buf bytes.Buffer
			if json.Indent(&buf, raw, "", "  ") == nil {
				it.Block = buf.String()
			} else {
				it.Block = string(raw)
			}
		}
		out = append(out, it)
	}
	return out
}

// categoryGroup is the checks of one category with its bar.
type categoryGroup struct {
	Name   string
	Score  int
	Max    int
	Checks []checkView
}

func groupChecks(sc *grading.Scorecard) []categoryGroup {
	var groups []categoryGroup
	index := map[grading.Category]int{}
	for _, cat := range sc.Categories {
		index[cat.Name] = len(groups)
		groups = append(groups, categoryGroup{Name: string(cat.Name), Score: cat.Score, Max: cat.MaxScore})
	}
	for _, ch := range sc.Checks {
		i, ok := index[ch.Category]
		if !ok {
			index[ch.Category] = len(groups)
			i = len(groups)
			groups = append(groups, categoryGroup{Name: string(ch.Category)})
		}
		groups[i].Checks = append(groups[i].Checks, checkView{CheckResult: ch})
	}
	return groups
}

type scorecardData struct {
	Detail     *store.SubmissionDetail
	Assessment *store.Assessment
	Card       *grading.Scorecard
	CardError  string
	Groups     []categoryGroup
	Bars       barChart
	Events     []store.SubmissionEvent
	Decisions  []string
	CanReview  bool
	Finished   bool
	// Runs are the kept grading runs, newest first, when there are several; Run is
	// the earlier run shown instead of the current result (?run=N), or nil.
	Runs []store.RunResult
	Run  *store.RunResult
	// Code is the summary of the shown run's code (facts, history), nil when
	// it kept none; Comments are the reviewers' line comments on any run.
	Code     *store.CodeSummary
	Comments []store.CodeComment
	// Similarity is the submission's closest matches (similarity.go).
	Similarity *similarityView
	// The reviewer workspace (review.go): who the viewer may see, the rubric
	// and every reviewer's scores, the schema laid out.
	reviewWorkspace
}

func (s *server) scorecard(c *gin.Context) {
	ctx := c.Request.Context()
	p := auth.Current(c)
	d, as, err := s.submissionOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	events, err := s.Store.SubmissionEvents(ctx, d.Submission.ID, 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	data := scorecardData{Detail: d, Assessment: as, Events: events, Decisions: store.Decisions,
		CanReview: rules.In(rules.Reviewers, p.Role), Finished: store.Finished(d.Submission.Status)}
	if data.reviewWorkspace, err = s.workspace(c, d, as); err != nil {
		s.fail(c, err)
		return
	}
	runs, err := s.Store.SubmissionRuns(ctx, p.OrgID, d.Submission.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(runs) > 1 {
		data.Runs = runs
	}
	card := d.Scorecard
	if v := c.Query("run"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.render(c, http.StatusBadRequest, "error", "No such run", errorPage{Status: http.StatusBadRequest,
				Message: "A run is a number: 1 for the first grading, 2 for the next."})
			return
		}
		run, err := s.Store.SubmissionRun(ctx, p.OrgID, d.Submission.ID, n)
		if err != nil {
			s.fail(c, err)
			return
		}
		data.Run, card = run, run.Scorecard
	}
	if card != nil {
		sc, err := grading.ParseScorecard(card)
		if err != nil {
			data.CardError = err.Error()
		} else {
			data.Card, data.Groups = sc, groupChecks(sc)
			data.Bars = categoryBars(sc.Categories)
			data.Schema = schemaOf(sc.SchemaDump)
		}
	}
	if err := s.attachCode(c, &data, runs); err != nil {
		s.fail(c, err)
		return
	}
	if data.Similarity, err = s.similarityOf(c, d.Submission.ID, as.ID); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "scorecard", data.Who.Name+" — "+as.Title, data)
}

// attachCode adds the shown run's code summary, the links from evidence to
// its files and the line comments to the scorecard page.
func (s *server) attachCode(c *gin.Context, data *scorecardData, runs []store.RunResult) error {
	ctx, org, id := c.Request.Context(), auth.Current(c).OrgID, data.Detail.Submission.ID
	comments, err := s.Store.CodeComments(ctx, org, id)
	if err != nil {
		return err
	}
	data.Comments = comments
	run := 0
	switch {
	case data.Run != nil:
		run = data.Run.Run
	case len(runs) > 0:
		run = runs[0].Run
	default:
		return nil
	}
	code, err := s.Store.CodeSnapshot(ctx, org, id, run)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	data.Code = code
	return s.linkEvidence(data.Groups, code, func() ([]snapshot.File, error) { return s.Store.CodeFiles(ctx, org, id, run) }, id)
}

// addReview records the decision, once; an admin's form says change=true to
// replace it (store.ChangeDecision audits that).
func (s *server) addReview(c *gin.Context) {
	decision, notes := c.PostForm("decision"), c.PostForm("notes")
	if err := cmp.Or(rules.Decision(decision), rules.Notes(notes)); err != nil {
		s.render(c, http.StatusUnprocessableEntity, "error", "Decision refused", errorPage{Status: http.StatusUnprocessableEntity,
			Message: sentence(err.Error())})
		return
	}
	record := s.Store.AddReview
	if c.PostForm("change") == "true" {
		if !rules.In(rules.Admins, auth.Current(c).Role) {
			s.render(c, http.StatusForbidden, "error", "Not allowed", errorPage{Status: http.StatusForbidden,
				Message: "Only an admin may change a decision."})
			return
		}
		record = s.Store.ChangeDecision
	}
	if _, err := record(c.Request.Context(), actor(c), c.Param("id"), decision, notes); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/submissions/"+c.Param("id")+"#reviews")
}

func (s *server) regrade(c *gin.Context) {
	if _, err := s.Store.RequestRegrade(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/submissions/"+c.Param("id"))
}

// staffSubmission loads the submission a live block of the staff page asks about.
func (s *server) staffSubmission(c *gin.Context) (*store.SubmissionDetail, bool) {
	d, err := s.Store.Submission(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		s.failBlock(c, err)
		return nil, false
	}
	return d, true
}

// failBlock answers a live block's request that failed: a plain 404 when the
// submission is not there (the block is swapped in as it is), the error page else.
func (s *server) failBlock(c *gin.Context, err error) {
	if errors.Is(err, store.ErrNotFound) {
		c.String(http.StatusNotFound, "not found")
		return
	}
	s.fail(c, err)
}

// submissionStatus is the staff page's live status block: fetched again on each
// status change while the submission is being graded, then it offers to reload.
func (s *server) submissionStatus(c *gin.Context) {
	if d, ok := s.staffSubmission(c); ok {
		s.fragment(c, "staff-status", d.Submission)
	}
}

// submissionEvents streams the submission's status changes to the staff page.
func (s *server) submissionEvents(c *gin.Context) {
	if d, ok := s.staffSubmission(c); ok {
		progress.Stream(c.Writer, c.Request, s.Store, d.Submission.ID)
	}
}
