package web

import (
	"io"
	"net/http"
	"strings"

	"github.com/assayhq/assay/internal/mail"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// invited is a created invitation with its link, shown this once: only
// the token's hash is stored.
type invited struct {
	Name, Email, Link string
}

type invitedData struct {
	AssessmentID string
	Invited      []invited
	MailEnabled  bool
}

// inviteOne creates an invitation with its mail and returns its link.
func (s *server) inviteOne(c *gin.Context, assessmentID, name, email string) (string, error) {
	inv := store.Invitation{AssessmentID: assessmentID, CandidateName: name, CandidateEmail: email}
	token, err := s.Store.InviteWithMail(c.Request.Context(), actor(c), &inv,
		func(token string, as *store.Assessment) (store.MailContent, error) {
			return mail.Invitation(&inv, as, s.link(token))
		})
	if err != nil {
		return "", err
	}
	return s.link(token), nil
}

func (s *server) link(token string) string { return s.BaseURL + "/c/" + token }

func (s *server) invite(c *gin.Context) {
	f := inviteForm{Name: strings.TrimSpace(c.PostForm("name")), Email: strings.ToLower(strings.TrimSpace(c.PostForm("email"))),
		Errors: map[string]string{}}
	check(f.Errors, "name", "the candidate's name", rules.CandidateName(f.Name))
	check(f.Errors, "email", "the email", rules.Email("candidate_email", f.Email))
	if len(f.Errors) > 0 {
		s.assessmentPage(c, http.StatusUnprocessableEntity, f)
		return
	}
	link, err := s.inviteOne(c, c.Param("id"), f.Name, f.Email)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusCreated, "invited", "Invitation created", invitedData{AssessmentID: c.Param("id"),
		Invited: []invited{{Name: f.Name, Email: f.Email, Link: link}}, MailEnabled: s.MailEnabled})
}

type csvPreview struct {
	AssessmentID string
	Rows         []csvRow
	Valid        int
	Source       string
}

// previewCSV shows what an upload would create, row by row, before
// anything is created.
func (s *server) previewCSV(c *gin.Context) {
	file, err := c.FormFile("file")
	if err != nil {
		s.assessmentPage(c, http.StatusUnprocessableEntity, inviteForm{CSVError: "Choose a CSV file to upload."})
		return
	}
	fh, err := file.Open()
	if err != nil {
		s.fail(c, err)
		return
	}
	defer fh.Close()
	raw, err := io.ReadAll(io.LimitReader(fh, maxFormBytes))
	if err != nil {
		s.fail(c, err)
		return
	}
	rows, err := parseCandidates(string(raw))
	if err != nil {
		s.assessmentPage(c, http.StatusUnprocessableEntity, inviteForm{CSVError: "The upload was refused: " + err.Error() + "."})
		return
	}
	p := csvPreview{AssessmentID: c.Param("id"), Rows: rows, Source: string(raw)}
	for _, r := range rows {
		if r.Error == "" {
			p.Valid++
		}
	}
	s.render(c, http.StatusOK, "csv_preview", "Check the upload", p)
}

// confirmCSV invites every valid row of the previewed file (sent back in
// the form, so nothing is kept between the two steps), all or none: one
// failure creates nothing, so no one-time link is made and then lost.
func (s *server) confirmCSV(c *gin.Context) {
	rows, err := parseCandidates(c.PostForm("source"))
	if err != nil {
		s.assessmentPage(c, http.StatusUnprocessableEntity, inviteForm{CSVError: "The upload was refused: " + err.Error() + "."})
		return
	}
	var invs []*store.Invitation
	for _, r := range rows {
		if r.Error == "" {
			invs = append(invs, &store.Invitation{AssessmentID: c.Param("id"), CandidateName: r.Name, CandidateEmail: r.Email})
		}
	}
	tokens, err := s.Store.InviteAllWithMail(c.Request.Context(), actor(c), invs,
		func(inv *store.Invitation, token string, as *store.Assessment) (store.MailContent, error) {
			return mail.Invitation(inv, as, s.link(token))
		})
	if err != nil {
		if status, msg := rules.Status(err); status != http.StatusInternalServerError {
			s.assessmentPage(c, status, inviteForm{CSVError: "No one was invited: " + msg + "."})
			return
		}
		s.fail(c, err)
		return
	}
	out := make([]invited, len(invs))
	for i, inv := range invs {
		out[i] = invited{Name: inv.CandidateName, Email: inv.CandidateEmail, Link: s.link(tokens[i])}
	}
	s.render(c, http.StatusCreated, "invited", "Invitations created", invitedData{AssessmentID: c.Param("id"),
		Invited: out, MailEnabled: s.MailEnabled})
}

func (s *server) revokeInvitation(c *gin.Context) {
	inv, err := s.Store.RevokeInvitation(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/assessments/"+inv.AssessmentID)
}
