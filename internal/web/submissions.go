package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

const submissionsPerPage = 50

type submissionsData struct {
	Rows        []submissionRow
	Total       int
	Assessments []store.Assessment
	Statuses    []string
	Query       store.SubmissionTableQuery
	Pages       int
	PrevURL     string
	NextURL     string
	// Picking candidates to compare needs one assessment: the checks differ between take-homes.
	CanPick bool
}

// submissionRow is a row of the table with the candidate as the viewer may see them.
type submissionRow struct {
	store.SubmissionRow
	Who rules.Identity
	// Similar is the highest flagged similarity (0: not flagged).
	Similar float64
}

func (s *server) submissions(c *gin.Context) {
	ctx := c.Request.Context()
	p := auth.Current(c)
	orgID := p.OrgID
	q := store.SubmissionTableQuery{AssessmentID: c.Query("assessment"), Status: c.Query("status"),
		Sort: c.Query("sort"), PerPage: submissionsPerPage, Undecided: c.Query("undecided") == "1",
		Search: strings.TrimSpace(c.Query("q")), SearchSkipsBlind: rules.SearchSkipsBlind(p.Role)}
	if utf8.RuneCountInString(q.Search) > rules.MaxNameRunes {
		q.Search = string([]rune(q.Search)[:rules.MaxNameRunes])
	}
	if !slices.Contains(store.SubmissionStatuses, q.Status) {
		q.Status = ""
	}
	if q.Sort != store.SortByScore {
		q.Sort = store.SortByDate
	}
	q.Page, _ = strconv.Atoi(c.Query("page"))
	q.Page = max(q.Page, 1)
	rows, total, err := s.Store.SubmissionTable(ctx, orgID, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	ass, _, err := s.Store.Assessments(ctx, orgID, store.AssessmentFilter{IncludeArchived: true}, store.Page{Limit: 200})
	if err != nil {
		s.fail(c, err)
		return
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	flags, err := s.Store.SimilarityFlags(ctx, orgID, ids)
	if err != nil {
		s.fail(c, err)
		return
	}
	views := make([]submissionRow, len(rows))
	for i, r := range rows {
		views[i] = submissionRow{SubmissionRow: r, Who: rules.Candidate{Name: r.CandidateName, Email: r.CandidateEmail,
			Number: r.CandidateNumber, BlindReview: r.BlindReview, Decided: r.Decision != nil}.ForViewer(p.Role), Similar: flags[r.ID]}
	}
	d := submissionsData{Rows: views, Total: total, CanPick: q.AssessmentID != "", Assessments: ass, Statuses: store.SubmissionStatuses, Query: q,
		Pages: max((total+submissionsPerPage-1)/submissionsPerPage, 1)}
	pageURL := func(n int) string {
		v := url.Values{}
		undecided := ""
		if q.Undecided {
			undecided = "1"
		}
		for k, val := range map[string]string{"assessment": q.AssessmentID, "status": q.Status, "sort": q.Sort,
			"q": q.Search, "undecided": undecided} {
			if val != "" {
				v.Set(k, val)
			}
		}
		v.Set("page", strconv.Itoa(n))
		return "/submissions?" + v.Encode()
	}
	if q.Page > 1 {
		d.PrevURL = pageURL(q.Page - 1)
	}
	if q.Page < d.Pages {
		d.NextURL = pageURL(q.Page + 1)
	}
	s.render(c, http.StatusOK, "submissions", "Submissions", d)
}
