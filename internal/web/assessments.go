package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/catalog"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/similarity"
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

// assessmentForm is the create and edit form with its values and errors by field.
// ID is set when it edits an existing assessment: its take-home (and so its
// suite version) is then fixed.
type assessmentForm struct {
	ID                                  string
	Takehomes                           []catalog.Takehome
	Takehome, Title, Instructions, View string
	Mode                                string // grading mode: adaptive or strict
	Hours, Attempts                     string
	Blind                               bool   // reviewers see candidates by number until a decision
	Similarity                          string // the similarity threshold in percent
	Errors                              map[string]string
}

// formValues reads the settings every assessment form has.
func formValues(c *gin.Context, f *assessmentForm) {
	f.Title = strings.TrimSpace(c.PostForm("title"))
	f.Instructions = c.PostForm("instructions")
	f.Hours = strings.TrimSpace(c.PostForm("hours"))
	f.Attempts = strings.TrimSpace(c.PostForm("attempts"))
	f.View = c.PostForm("candidate_view")
	f.Mode = c.PostForm("grading_mode")
	f.Blind = c.PostForm("blind_review") == "on"
	f.Similarity = strings.TrimSpace(c.PostForm("similarity_threshold"))
}

func (s *server) newAssessment(c *gin.Context) {
	s.render(c, http.StatusOK, "assessment_new", "New assessment", assessmentForm{
		Takehomes: s.Catalog.Takehomes(), Hours: strconv.Itoa(rules.DefaultHours), Attempts: strconv.Itoa(rules.DefaultAttempts),
		View: rules.DefaultCandidateView, Mode: rules.DefaultGradingMode, Similarity: percentOf(similarity.DefaultThreshold),
	})
}

// validate checks the form by the rules the API checks its JSON by. A
// number that does not parse breaks its rule as 0 does.
func (f *assessmentForm) validate(cat *catalog.Catalog) (hours, attempts int, threshold float64) {
	f.Errors = map[string]string{}
	if _, ok := cat.Takehome(f.Takehome); !ok {
		f.Errors["takehome"] = "Choose a take-home."
	}
	hours, _ = strconv.Atoi(f.Hours)
	attempts, _ = strconv.Atoi(f.Attempts)
	check(f.Errors, "title", "the title", rules.Title(f.Title))
	check(f.Errors, "instructions", "instructions", rules.Instructions(f.Instructions))
	check(f.Errors, "hours", "hours", rules.HoursAllowed(hours))
	check(f.Errors, "attempts", "attempts", rules.MaxSubmissions(attempts))
	check(f.Errors, "view", "the candidate view", rules.CandidateView(f.View))
	check(f.Errors, "mode", "the grading mode", rules.GradingMode(f.Mode))
	if f.Similarity == "" {
		return hours, attempts, 0 // left as it is (the default on create)
	}
	percent, _ := strconv.Atoi(f.Similarity)
	threshold = float64(percent) / 100
	if rules.SimilarityThreshold(threshold) != nil {
		f.Errors["similarity"] = "The similarity threshold must be a whole percentage from 1 to 100."
	}
	return hours, attempts, threshold
}

// given is a threshold the form gave, nil when it gave none.
func given(threshold float64) *float64 {
	if threshold == 0 {
		return nil
	}
	return &threshold
}

// percentOf shows a threshold as the form's whole percentage.
func percentOf(f float64) string { return strconv.Itoa(int(f*100 + 0.5)) }

func (s *server) createAssessment(c *gin.Context) {
	f := assessmentForm{Takehomes: s.Catalog.Takehomes(), Takehome: c.PostForm("takehome")}
	formValues(c, &f)
	hours, attempts, threshold := f.validate(s.Catalog)
	if len(f.Errors) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "assessment_new", "New assessment", f)
		return
	}
	th, _ := s.Catalog.Takehome(f.Takehome)
	as := store.Assessment{Takehome: th.Slug, SuiteVersion: th.Version, Title: f.Title, Instructions: f.Instructions,
		HoursAllowed: hours, MaxSubmissions: attempts, CandidateView: f.View, GradingMode: f.Mode, BlindReview: f.Blind,
		SimilarityThreshold: threshold}
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
	Takehome    catalog.Takehome
	Invitations []store.Invitation
	// Outcomes are the invitations' latest attempts, by invitation id.
	Outcomes    map[string]*store.InvitationOutcome
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
		CanInvite: rules.In(rules.Recruiters, p.Role)}
	d.Takehome, _ = s.Catalog.Takehome(as.Takehome)
	if d.CanInvite {
		d.Invitations, d.Next, err = s.Store.Invitations(ctx, p.OrgID, store.InvitationFilter{AssessmentID: as.ID},
			store.Page{Limit: 200, Cursor: c.Query("cursor")})
		if err != nil {
			s.fail(c, err)
			return
		}
		ids := make([]string, len(d.Invitations))
		for i, inv := range d.Invitations {
			ids[i] = inv.ID
		}
		if d.Outcomes, err = s.Store.InvitationOutcomes(ctx, p.OrgID, ids); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.render(c, status, "assessment", as.Title, d)
}

func (s *server) assessment(c *gin.Context) { s.assessmentPage(c, http.StatusOK, inviteForm{}) }

// editAssessment shows an assessment's settings in the form.
func (s *server) editAssessment(c *gin.Context) {
	as, err := s.Store.Assessment(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "assessment_new", "Edit "+as.Title, assessmentForm{
		ID: as.ID, Takehomes: s.Catalog.Takehomes(), Takehome: as.Takehome, Title: as.Title, Instructions: as.Instructions,
		Hours: strconv.Itoa(as.HoursAllowed), Attempts: strconv.Itoa(as.MaxSubmissions), View: as.CandidateView,
		Mode: as.GradingMode, Blind: as.BlindReview, Similarity: percentOf(as.SimilarityThreshold),
	})
}

// updateAssessment saves the edit form: title, instructions, deadline, attempts
// and what candidates see (the take-home stays). Audited by the store.
func (s *server) updateAssessment(c *gin.Context) {
	as, err := s.Store.Assessment(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	f := assessmentForm{ID: as.ID, Takehomes: s.Catalog.Takehomes(), Takehome: as.Takehome}
	formValues(c, &f)
	hours, attempts, threshold := f.validate(s.Catalog)
	if len(f.Errors) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "assessment_new", "Edit "+as.Title, f)
		return
	}
	_, err = s.Store.UpdateAssessment(c.Request.Context(), actor(c), as.ID, store.AssessmentChanges{
		Title: &f.Title, Instructions: &f.Instructions, HoursAllowed: &hours, MaxSubmissions: &attempts, CandidateView: &f.View,
		GradingMode: &f.Mode, BlindReview: &f.Blind, SimilarityThreshold: given(threshold),
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/assessments/"+as.ID)
}

func (s *server) archiveAssessment(c *gin.Context) {
	archived := c.PostForm("archived") == "true"
	as, err := s.Store.UpdateAssessment(c.Request.Context(), actor(c), c.Param("id"), store.AssessmentChanges{Archived: &archived})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/assessments/"+as.ID)
}
