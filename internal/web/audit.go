package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// The admins' audit page: the organisation's audit log, newest first, a
// page at a time, narrowed by action, actor, target type and dates.

const auditPageSize = 50

type auditData struct {
	Entries []store.AuditEntry
	Filter  auditFilterForm
	// Actions and TargetTypes are what the organisation's log holds, for
	// the filters' choices.
	Actions, TargetTypes []string
	// NextURL is the next page with the same filters; "" on the last page.
	NextURL string
	Error   string
}

// auditFilterForm is the filter as typed (dates as YYYY-MM-DD).
type auditFilterForm struct {
	Action, Actor, TargetType, From, To string
}

const dateLayout = "2006-01-02"

// filter turns the form into the store's filter; To is inclusive on the
// page (the whole day), exclusive in the store.
func (f auditFilterForm) filter() (store.AuditFilter, string) {
	out := store.AuditFilter{Action: f.Action, Actor: f.Actor, TargetType: f.TargetType}
	if f.From != "" {
		t, err := time.Parse(dateLayout, f.From)
		if err != nil {
			return out, "The start date must be a date like 2026-01-31."
		}
		out.From = &t
	}
	if f.To != "" {
		t, err := time.Parse(dateLayout, f.To)
		if err != nil {
			return out, "The end date must be a date like 2026-01-31."
		}
		end := t.AddDate(0, 0, 1)
		out.To = &end
	}
	if out.From != nil && out.To != nil && !out.From.Before(*out.To) {
		return out, "The start date must not be after the end date."
	}
	return out, ""
}

// query is the form as URL parameters, empty ones left out.
func (f auditFilterForm) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"action": f.Action, "actor": f.Actor, "target_type": f.TargetType, "from": f.From, "to": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

func (s *server) auditLog(c *gin.Context) {
	ctx := c.Request.Context()
	orgID := auth.Current(c).OrgID
	d := auditData{Filter: auditFilterForm{
		Action: strings.TrimSpace(c.Query("action")), Actor: strings.TrimSpace(c.Query("actor")),
		TargetType: strings.TrimSpace(c.Query("target_type")),
		From:       strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to")),
	}}
	var err error
	if d.Actions, d.TargetTypes, err = s.Store.AuditFacets(ctx, orgID); err != nil {
		s.fail(c, err)
		return
	}
	f, problem := d.Filter.filter()
	if problem != "" {
		d.Error = problem
		s.render(c, http.StatusBadRequest, "audit", "Audit log", d)
		return
	}
	entries, next, err := s.Store.AuditEntries(ctx, orgID, f, store.Page{Limit: auditPageSize, Cursor: c.Query("cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Entries = entries
	if next != "" {
		q := d.Filter.query()
		q.Set("cursor", next)
		d.NextURL = "/admin/audit?" + q.Encode()
	}
	s.render(c, http.StatusOK, "audit", "Audit log", d)
}
