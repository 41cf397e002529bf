package web

import (
	"encoding/json"
	"net/http"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// compareColumns is how many candidates stand side by side: the highest
// totals, which is who a reviewer compares. The histogram counts everyone.
const compareColumns = 10

type compareData struct {
	Assessment *store.Assessment
	Columns    []store.CandidateTotal
	Rows       []compareRow
	Histogram  histogram
	Candidates int
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
	orgID := auth.Current(c).OrgID
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
	d.Columns = totals[:min(len(totals), compareColumns)]
	ids := make([]string, len(d.Columns))
	for i, t := range d.Columns {
		ids[i] = t.SubmissionID
	}
	cards, err := s.Store.Scorecards(ctx, orgID, ids)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Rows = compareRows(ids, cards)
	s.render(c, http.StatusOK, "compare", "Compare — "+as.Title, d)
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
