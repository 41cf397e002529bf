package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

const submissionsPerPage = 50

type submissionsData struct {
	Rows        []store.SubmissionRow
	Total       int
	Assessments []store.Assessment
	Statuses    []string
	Query       store.SubmissionTableQuery
	Pages       int
	PrevURL     string
	NextURL     string
}

func (s *server) submissions(c *gin.Context) {
	ctx := c.Request.Context()
	orgID := auth.Current(c).OrgID
	q := store.SubmissionTableQuery{AssessmentID: c.Query("assessment"), Status: c.Query("status"),
		Sort: c.Query("sort"), PerPage: submissionsPerPage}
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
	d := submissionsData{Rows: rows, Total: total, Assessments: ass, Statuses: store.SubmissionStatuses, Query: q,
		Pages: max((total+submissionsPerPage-1)/submissionsPerPage, 1)}
	pageURL := func(n int) string {
		v := url.Values{}
		for k, val := range map[string]string{"assessment": q.AssessmentID, "status": q.Status, "sort": q.Sort} {
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
