package web

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// compareColumns is how many candidates stand side by side: the highest
// totals, which is who a reviewer compares. The histogram counts everyone.
const compareColumns = 10

type compareData struct {
	Assessment *store.Assessment
	Columns    []compareColumn
	Rows       []compareRow
	Histogram  histogram
	Candidates int
	Picked     bool              // the columns are candidates picked in the submissions table
	Criteria   []store.Criterion // the rubric, whose means are compared under the checks
}

// compareColumn is one candidate: their total, the rubric's mean, and who
// they are as the viewer may see them (blind review).
type compareColumn struct {
	store.CandidateTotal
	Who    rules.Identity
	Rubric store.RubricMean
}

// compareRow is one check across the candidates, by its stable id.
type compareRow struct {
	ID, Title, Category string
	Cells               []compareCell
}

type compareCell struct {
	Status          string // passed, failed, not_run, or "" when the check is not in that scorecard
	Score, MaxScore int
}

func (s *server) compare(c *gin.Context) {
	ctx := c.Request.Context()
	p := auth.Current(c)
	orgID := p.OrgID
	as, err := s.Store.Assessment(ctx, orgID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	totals, err := s.Store.AssessmentTotals(ctx, orgID, as.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := compareData{Assessment: as, Candidates: len(totals)}
	all := make([]scoreTotal, len(totals))
	for i, t := range totals {
		all[i] = scoreTotal{Score: t.Score, Max: t.MaxScore}
	}
	d.Histogram = totalsHistogram(all)
	shown := totals
	if picks := c.QueryArray("pick"); len(picks) > 0 {
		d.Picked, shown = true, picked(totals, picks)
	}
	shown = shown[:min(len(shown), compareColumns)]
	ids := make([]string, len(shown))
	for i, t := range shown {
		ids[i] = t.SubmissionID
	}
	cards, err := s.Store.Scorecards(ctx, orgID, ids)
	if err != nil {
		s.fail(c, err)
		return
	}
	scores, err := s.Store.RubricScores(ctx, orgID, ids)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Criteria = as.Criteria()
	for _, t := range shown {
		d.Columns = append(d.Columns, compareColumn{CandidateTotal: t,
			Who: rules.Candidate{Name: t.CandidateName, Number: t.CandidateNumber, BlindReview: as.BlindReview,
				Decided: t.Decided}.ForViewer(p.Role),
			Rubric: store.MeanScores(d.Criteria, scores[t.SubmissionID])})
	}
	d.Rows = compareRows(ids, cards)
	s.render(c, http.StatusOK, "compare", "Compare — "+as.Title, d)
}

// picked keeps the totals of the picked candidates (by invitation), in the
// order of the totals; a pick that is not a graded candidate of the
// assessment is passed over.
func picked(totals []store.CandidateTotal, picks []string) []store.CandidateTotal {
	var out []store.CandidateTotal
	for _, t := range totals {
		if slices.Contains(picks, t.InvitationID) {
			out = append(out, t)
		}
	}
	return out
}

// compareRows lines the checks of several scorecards up by id, in the
// order they first appear.
func compareRows(ids []string, cards map[string]json.RawMessage) []compareRow {
	var rows []compareRow
	index := map[string]int{}
	for col, id := range ids {
		sc, err := grading.ParseScorecard(cards[id])
		if err != nil {
			continue
		}
		for _, ch := range sc.Checks {
			i, ok := index[ch.ID]
			if !ok {
				i = len(rows)
				index[ch.ID] = i
				rows = append(rows, compareRow{ID: ch.ID, Title: ch.Title, Category: string(ch.Category), Cells: make([]compareCell, len(ids))})
			}
			rows[i].Cells[col] = compareCell{Status: ch.Status, Score: ch.Score, MaxScore: ch.MaxScore}
		}
	}
	return rows
}
