package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/assayhq/assay/internal/auth"
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
	Reissued     bool // a new link for an existing invitation: the old one stopped working
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
	Valid        int // rows ready to invite
	Invited      int // valid rows whose email is already invited
	Source       string
}

// markInvited flags the valid rows whose email already has an invitation
// to the assessment that is not revoked.
func (s *server) markInvited(c *gin.Context, rows []csvRow) error {
	var emails []string
	for _, r := range rows {
		if r.Error == "" {
			emails = append(emails, r.Email)
		}
	}
	invited, err := s.Store.InvitedEmails(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"), emails)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].AlreadyInvited = rows[i].Error == "" && invited[rows[i].Email]
	}
	return nil
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
	if err := s.markInvited(c, rows); err != nil {
		s.fail(c, err)
		return
	}
	p := csvPreview{AssessmentID: c.Param("id"), Rows: rows, Source: string(raw)}
	for _, r := range rows {
		switch {
		case r.AlreadyInvited:
			p.Invited++
		case r.Error == "":
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
	if err := s.markInvited(c, rows); err != nil {
		s.fail(c, err)
		return
	}
	again := c.PostForm("invite_again") == "yes"
	var invs []*store.Invitation
	for _, r := range rows {
		if r.Error == "" && (!r.AlreadyInvited || again) {
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

// revokeInvitation asks first (the form posts confirm=yes from the page it
// shows), then revokes; the table offers to undo it while the link is unopened.
func (s *server) revokeInvitation(c *gin.Context) {
	if c.PostForm("confirm") != "yes" {
		inv, err := s.Store.Invitation(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "revoke", "Revoke the invitation?", inv)
		return
	}
	inv, err := s.Store.RevokeInvitation(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/assessments/"+inv.AssessmentID+"#invitations")
}

// restoreInvitation undoes a revoke while the link is unopened.
func (s *server) restoreInvitation(c *gin.Context) {
	inv, err := s.Store.RestoreInvitation(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/assessments/"+inv.AssessmentID+"#invitations")
}

// grantInvitation gives the candidate more attempts or hours and mails them.
func (s *server) grantInvitation(c *gin.Context) {
	attempts, err1 := strconv.Atoi(strings.TrimSpace(c.DefaultPostForm("extra_attempts", "0")))
	hours, err2 := strconv.Atoi(strings.TrimSpace(c.DefaultPostForm("extra_hours", "0")))
	if err1 != nil || err2 != nil {
		s.fail(c, &rules.Error{Field: "extra_attempts", Rule: "and extra_hours must be whole numbers"})
		return
	}
	if err := rules.Grant(attempts, hours); err != nil {
		s.fail(c, err)
		return
	}
	inv, err := s.Store.GrantInvitation(c.Request.Context(), actor(c), c.Param("id"),
		store.Grant{Attempts: attempts, Hours: hours}, mail.Grant)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/assessments/"+inv.AssessmentID+"#invitations")
}

// reissueLink makes a fresh link (the old one stops working), mails it and
// shows it this once.
func (s *server) reissueLink(c *gin.Context) {
	token, inv, err := s.Store.ReissueInvitationLink(c.Request.Context(), actor(c), c.Param("id"),
		func(token string, inv *store.Invitation, as *store.Assessment) (store.MailContent, error) {
			return mail.NewLink(inv, as, s.link(token))
		})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusCreated, "invited", "New link issued", invitedData{AssessmentID: inv.AssessmentID,
		Invited: []invited{{Name: inv.CandidateName, Email: inv.CandidateEmail, Link: s.link(token)}}, MailEnabled: s.MailEnabled, Reissued: true})
}
