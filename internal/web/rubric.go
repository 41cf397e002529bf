package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// rubricForm is the rubric editor: the criteria in force, blank rows to add
// more up to the limit, and what is wrong with the last attempt.
type rubricForm struct {
	Assessment *store.Assessment
	Rows       []store.Criterion
	Error      string
	Saved      bool // the page follows a save
}

// withBlankRows pads the rows so a recruiter can add criteria up to the limit.
func withBlankRows(rows []store.Criterion) []store.Criterion {
	out := append([]store.Criterion(nil), rows...)
	for len(out) < rules.MaxCriteria {
		out = append(out, store.Criterion{})
	}
	return out
}

func (s *server) editRubric(c *gin.Context) {
	as, err := s.Store.Assessment(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "rubric", "Rubric — "+as.Title, rubricForm{Assessment: as, Rows: withBlankRows(as.Criteria()),
		Saved: c.Query("saved") == "1"})
}

// saveRubric reads the editor's rows (a row left wholly blank is dropped)
// and saves them as the assessment's rubric.
func (s *server) saveRubric(c *gin.Context) {
	ctx := c.Request.Context()
	as, err := s.Store.Assessment(ctx, auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	names := c.PostFormArray("name")
	var levels [store.RubricLevels][]string
	for l := range levels {
		levels[l] = c.PostFormArray("level" + strconv.Itoa(l+1))
	}
	var rows []store.Criterion
	for i, name := range names {
		cr := store.Criterion{Name: name}
		blank := strings.TrimSpace(name) == ""
		for l := range levels {
			if i < len(levels[l]) {
				cr.Levels[l] = levels[l][i]
			}
			blank = blank && strings.TrimSpace(cr.Levels[l]) == ""
		}
		if !blank {
			rows = append(rows, cr)
		}
	}
	if err := rules.Rubric(rows); err != nil {
		s.render(c, http.StatusUnprocessableEntity, "rubric", "Rubric — "+as.Title,
			rubricForm{Assessment: as, Rows: withBlankRows(rows), Error: rubricError(err)})
		return
	}
	if _, err := s.Store.SetRubric(ctx, actor(c), as.ID, rows); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/assessments/"+as.ID+"/rubric?saved=1")
}

// rubricError words a rubric rule for the form, whose rows are numbered from 1.
func rubricError(err error) string {
	var i, l int
	msg := brokenRule("", err)
	if e, ok := err.(*rules.Error); ok {
		switch {
		case scan(e.Field, "criteria[%d].levels[%d]", &i, &l):
			msg = fmt.Sprintf("Criterion %d, level %d: %s", i+1, l+1, e.Rule)
		case scan(e.Field, "criteria[%d].name", &i):
			msg = fmt.Sprintf("Criterion %d, name: %s", i+1, e.Rule)
		default:
			msg = "Criteria " + e.Rule
		}
	}
	return sentence(strings.TrimSpace(msg))
}

func scan(s, format string, args ...any) bool {
	n, err := fmt.Sscanf(s, format, args...)
	return err == nil && n == len(args)
}

// scoreRubric records the signed-in reviewer's scores of a submission.
func (s *server) scoreRubric(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := s.Store.Submission(ctx, auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	as, err := s.Store.Assessment(ctx, d.Submission.OrgID, d.Submission.AssessmentID)
	if err != nil {
		s.fail(c, err)
		return
	}
	scores := map[string]int{}
	for i, cr := range as.Criteria() {
		n, err := strconv.Atoi(c.PostForm("score" + strconv.Itoa(i)))
		if err != nil {
			s.render(c, http.StatusUnprocessableEntity, "error", "Scores refused", errorPage{Status: http.StatusUnprocessableEntity,
				Message: sentence(fmt.Sprintf("give %q a score from 1 to %d", cr.Name, store.RubricLevels))})
			return
		}
		scores[cr.Name] = n
	}
	notes := c.PostForm("rubric_notes")
	if err := rules.Notes(notes); err != nil {
		s.render(c, http.StatusUnprocessableEntity, "error", "Scores refused", errorPage{Status: http.StatusUnprocessableEntity,
			Message: sentence(err.Error())})
		return
	}
	if _, err := s.Store.ScoreRubric(ctx, actor(c), d.Submission.ID, scores, notes); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/submissions/"+d.Submission.ID+"#rubric")
}
