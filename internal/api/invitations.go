package api

import (
	"net/http"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/mail"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

type invitationRequest struct {
	CandidateName  string `json:"candidate_name"`
	CandidateEmail string `json:"candidate_email"`
}

func (a *api) createInvitation(c *gin.Context) {
	var req invitationRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	req.CandidateName = strings.TrimSpace(req.CandidateName)
	req.CandidateEmail = strings.ToLower(strings.TrimSpace(req.CandidateEmail))
	if err := rules.CandidateName(req.CandidateName); err != nil {
		respondError(c, err)
		return
	}
	if err := rules.Email("candidate_email", req.CandidateEmail); err != nil {
		respondError(c, err)
		return
	}
	inv := store.Invitation{AssessmentID: c.Param("id"), CandidateName: req.CandidateName, CandidateEmail: req.CandidateEmail}
	// The invitation mail is queued in the same transaction (held for the
	// admin page when no SMTP server is configured).
	token, err := a.Store.InviteWithMail(c.Request.Context(), actor(c), &inv,
		func(token string, as *store.Assessment) (store.MailContent, error) {
			return mail.Invitation(&inv, as, a.BaseURL+"/c/"+token)
		})
	if err != nil {
		respondError(c, err)
		return
	}
	// The link is shown this once: only the token's hash is stored.
	c.JSON(http.StatusCreated, gin.H{"invitation": inv, "invite_url": a.BaseURL + "/c/" + token, "token": token})
}

var invitationStates = map[string]bool{store.InvitationPending: true, store.InvitationOpened: true,
	store.InvitationSubmitted: true, store.InvitationRevoked: true}

func (a *api) listInvitations(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		respondError(c, err)
		return
	}
	f := store.InvitationFilter{AssessmentID: c.Query("assessment_id"), State: c.Query("state")}
	if f.State != "" && !invitationStates[f.State] {
		respondError(c, badRequest("state must be pending, opened, submitted or revoked"))
		return
	}
	rows, next, err := a.Store.Invitations(c.Request.Context(), auth.Current(c).OrgID, f, p)
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, rows, next)
}

func (a *api) revokeInvitation(c *gin.Context) {
	if _, err := a.Store.RevokeInvitation(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type grantRequest struct {
	ExtraAttempts int `json:"extra_attempts"`
	ExtraHours    int `json:"extra_hours"`
}

// grantInvitation gives one candidate more attempts or more time, and mails
// them the news.
func (a *api) grantInvitation(c *gin.Context) {
	var req grantRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if err := rules.Grant(req.ExtraAttempts, req.ExtraHours); err != nil {
		respondError(c, err)
		return
	}
	inv, err := a.Store.GrantInvitation(c.Request.Context(), actor(c), c.Param("id"),
		store.Grant{Attempts: req.ExtraAttempts, Hours: req.ExtraHours}, mail.Grant)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, inv)
}

// reissueLink gives the invitation a fresh link (the old one stops working)
// and mails it; like a new invitation's, it is shown this once.
func (a *api) reissueLink(c *gin.Context) {
	token, inv, err := a.Store.ReissueInvitationLink(c.Request.Context(), actor(c), c.Param("id"),
		func(token string, inv *store.Invitation, as *store.Assessment) (store.MailContent, error) {
			return mail.NewLink(inv, as, a.BaseURL+"/c/"+token)
		})
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"invitation": inv, "invite_url": a.BaseURL + "/c/" + token, "token": token})
}

// restoreInvitation undoes a revoke the candidate never saw.
func (a *api) restoreInvitation(c *gin.Context) {
	inv, err := a.Store.RestoreInvitation(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, inv)
}
