package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

type assessmentsData struct {
	Assessments  []store.Assessment
	ShowArchived bool
	Next         string
}

func (s *server) assessments(c *gin.Context) {
	showArchived := c.Query("archived") == "1"
	rows, next, err := s.Store.Assessments(c.Request.Context(), auth.Current(c).OrgID,
		store.AssessmentFilter{IncludeArchived: showArchived}, store.Page{Limit: 100, Cursor: c.Query("cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "assessments", "Assessments", assessmentsData{Assessments: rows, ShowArchived: showArchived, Next: next})
}

// assessmentForm is the create form with its values and errors by field.
type assessmentForm struct {
	Takehomes                           []Takehome
	Takehome, Title, Instructions, View string
	Hours, Attempts                     string
	Errors                              map[string]string
}

func (s *server) newAssessment(c *gin.Context) {
	s.render(c, http.StatusOK, "assessment_new", "New assessment", assessmentForm{
		Takehomes: s.Catalog.Takehomes(), Hours: "72", Attempts: "3", View: store.ViewVisibleChecks,
	})
}

// validate checks the form as the API checks its JSON.
func (f *assessmentForm) validate(cat Catalog) (hours, attempts int) {
	f.Errors = map[string]string{}
	if _, ok := cat.Takehome(f.Takehome); !ok {
		f.Errors["takehome"] = "Choose a take-home."
	}
	if n := utf8.RuneCountInString(f.Title); n < 1 || n > 200 {
		f.Errors["title"] = "Give it a title of 1 to 200 characters."
	}
	if len(f.Instructions) > 20000 {
		f.Errors["instructions"] = "Instructions must be at most 20000 bytes."
	}
	hours, err := strconv.Atoi(f.Hours)
	if err != nil || hours < 1 || hours > 720 {
		f.Errors["hours"] = "Hours must be a whole number from 1 to 720."
	}
	attempts, err = strconv.Atoi(f.Attempts)
	if err != nil || attempts < 1 || attempts > 20 {
		f.Errors["attempts"] = "Attempts must be a whole number from 1 to 20."
	}
	switch f.View {
	case store.ViewNothing, store.ViewTotal, store.ViewVisibleChecks:
	default:
		f.Errors["view"] = "Choose what candidates see."
	}
	return hours, attempts
}

func (s *server) createAssessment(c *gin.Context) {
	f := assessmentForm{
		Takehomes: s.Catalog.Takehomes(), Takehome: c.PostForm("takehome"),
		Title: strings.TrimSpace(c.PostForm("title")), Instructions: c.PostForm("instructions"),
		Hours: strings.TrimSpace(c.PostForm("hours")), Attempts: strings.TrimSpace(c.PostForm("attempts")),
		View: c.PostForm("candidate_view"),
	}
	hours, attempts := f.validate(s.Catalog)
	if len(f.Errors) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "assessment_new", "New assessment", f)
		return
	}
	th, _ := s.Catalog.Takehome(f.Takehome)
	as := store.Assessment{Takehome: th.Slug, SuiteVersion: th.Version, Title: f.Title, Instructions: f.Instructions,
		HoursAllowed: hours, MaxSubmissions: attempts, CandidateView: f.View}
	if err := s.Store.CreateAssessment(c.Request.Context(), actor(c), &as); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/assessments/"+as.ID)
}

// assessmentData is one assessment's page: its settings, its invitations
// and the forms to invite more.
type assessmentData struct {
	Assessment  store.Assessment
	Takehome    Takehome
	Invitations []store.Invitation
	Next        string
	Invite      inviteForm
	MailEnabled bool
	CanInvite   bool
}

type inviteForm struct {
	Name, Email string
	Errors      map[string]string
	CSVError    string
}

func (s *server) assessmentPage(c *gin.Context, status int, form inviteForm) {
	ctx := c.Request.Context()
	p := auth.Current(c)
	as, err := s.Store.Assessment(ctx, p.OrgID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	d := assessmentData{Assessment: *as, Invite: form, MailEnabled: s.MailEnabled,
		CanInvite: p.Role != store.RoleReviewer}
	d.Takehome, _ = s.Catalog.Takehome(as.Takehome)
	if d.CanInvite {
		d.Invitations, d.Next, err = s.Store.Invitations(ctx, p.OrgID, store.InvitationFilter{AssessmentID: as.ID},
			store.Page{Limit: 200, Cursor: c.Query("cursor")})
		if err != nil {
			s.fail(c, err)
			return
		}
	}
	s.render(c, status, "assessment", as.Title, d)
}

func (s *server) assessment(c *gin.Context) { s.assessmentPage(c, http.StatusOK, inviteForm{}) }

func (s *server) archiveAssessment(c *gin.Context) {
	archived := c.PostForm("archived") == "true"
	as, err := s.Store.UpdateAssessment(c.Request.Context(), actor(c), c.Param("id"), store.AssessmentChanges{Archived: &archived})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/assessments/"+as.ID)
}
