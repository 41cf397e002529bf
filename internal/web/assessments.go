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

// takehomes is what the organisation may make assessments of: the built-in
// take-homes and its own issuable ones.
func (s *server) takehomes(c *gin.Context) ([]catalog.Takehome, error) {
	return s.Catalog.ForOrg(c.Request.Context(), s.Store, auth.Current(c).OrgID)
}

func (s *server) newAssessment(c *gin.Context) {
	ths, err := s.takehomes(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "assessment_new", "New assessment", assessmentForm{
		Takehomes: ths, Hours: strconv.Itoa(rules.DefaultHours), Attempts: strconv.Itoa(rules.DefaultAttempts),
		View: rules.DefaultCandidateView, Mode: rules.DefaultGradingMode, Similarity: percentOf(similarity.DefaultThreshold),
	})
}

// validate checks the form by the rules the API checks its JSON by. A
// number that does not parse breaks its rule as 0 does. The take-home must
// be one of the form's (an edit keeps its own).
func (f *assessmentForm) validate() (hours, attempts int, threshold float64) {
	f.Errors = map[string]string{}
	if _, ok := f.chosen(); !ok && f.ID == "" {
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

// chosen is the form's take-home among those offered.
func (f *assessmentForm) chosen() (catalog.Takehome, bool) {
	for _, th := range f.Takehomes {
		if th.Slug == f.Takehome {
			return th, true
		}
	}
	return catalog.Takehome{}, false
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
	ths, err := s.takehomes(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := assessmentForm{Takehomes: ths, Takehome: c.PostForm("takehome")}
	formValues(c, &f)
	hours, attempts, threshold := f.validate()
	if len(f.Errors) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "assessment_new", "New assessment", f)
		return
	}
	th, _ := f.chosen()
	as := store.Assessment{Takehome: th.Slug, SuiteVersion: th.Version, Title: f.Title, Instructions: f.Instructions,
		HoursAllowed: hours, MaxSubmissions: attempts, CandidateView: f.View, GradingMode: f.Mode, BlindReview: f.Blind,
		SimilarityThreshold: threshold}
	if th.Custom {
		// The version offered is pinned; the store checks again that it is
		// the organisation's and still issuable.
		as.TakehomeVersionID = &th.VersionID
	}
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
	if d.Takehome, _, err = s.Catalog.OfAssessment(ctx, s.Store, as); err != nil {
		s.fail(c, err)
		return
	}
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
		ID: as.ID, Takehome: as.Takehome, Title: as.Title, Instructions: as.Instructions,
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
	f := assessmentForm{ID: as.ID, Takehome: as.Takehome}
	formValues(c, &f)
	hours, attempts, threshold := f.validate()
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
