package web

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/catalog"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/mail"
	"github.com/assayhq/assay/internal/progress"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// The candidate's page: /c/{token}. The token is the candidate's only
// credential; it stays in the path (the Referrer-Policy keeps it from
// leaking to links in the brief) and is checked by every store call.

type candidateData struct {
	Token        string
	Invitation   store.Invitation
	Assessment   store.Assessment
	Takehome     catalog.Takehome
	Brief        template.HTML
	Instructions template.HTML
	AttemptsLeft int
	Attempts     int    // allowed: the assessment's and those granted
	Closed       string // why no more submissions are taken, if so
	// Complete is set when the latest attempt scored full marks (and the
	// candidate can see it): another attempt must be confirmed.
	Complete      bool
	Latest        *progressData
	Earlier       []store.Submission
	RepoURL, Ref  string
	Errors        map[string]string
	SubmitMessage string
}

// token reads the path's token; a value that cannot be one is not looked up.
func candidateToken(c *gin.Context) (string, bool) {
	t := c.Param("token")
	return t, t != "" && len(t) <= 100
}

func (s *server) candidatePage(c *gin.Context) {
	s.showCandidate(c, http.StatusOK, candidateData{})
}

// showCandidate renders the page, keeping the submit form's values and
// errors in d.
func (s *server) showCandidate(c *gin.Context, status int, d candidateData) {
	token, ok := candidateToken(c)
	if !ok {
		s.candidateNotFound(c)
		return
	}
	ctx := c.Request.Context()
	v, err := s.Store.OpenInvitation(ctx, token)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.candidateNotFound(c)
			return
		}
		s.fail(c, err)
		return
	}
	subs, err := s.Store.InvitationSubmissions(ctx, v.Invitation.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Token, d.Invitation, d.Assessment = token, v.Invitation, v.Assessment
	if d.Takehome, _, err = s.Catalog.OfAssessment(ctx, s.Store, &v.Assessment); err != nil {
		s.fail(c, err)
		return
	}
	d.Brief = markdown(d.Takehome.Brief)
	d.Instructions = markdown(v.Assessment.Instructions)
	d.AttemptsLeft, d.Attempts = max(v.AttemptsAllowed-v.Attempts, 0), v.AttemptsAllowed
	d.Complete = complete(&v.Assessment, subs)
	switch {
	case v.Invitation.ExpiresAt != nil && time.Now().After(*v.Invitation.ExpiresAt):
		d.Closed = "The deadline has passed; no more submissions are taken."
	case d.AttemptsLeft == 0:
		d.Closed = "All your attempts are used."
	}
	if len(subs) > 0 {
		var card []byte
		if store.Finished(subs[0].Status) {
			sd, _, err := s.Store.CandidateSubmission(ctx, token, subs[0].ID)
			if err != nil {
				s.fail(c, err)
				return
			}
			card = sd.Scorecard
		}
		latest := s.progress(token, &subs[0], card, v.Assessment.CandidateView)
		d.Latest, d.Earlier = &latest, subs[1:]
	}
	if d.RepoURL == "" && len(subs) > 0 {
		d.RepoURL, d.Ref = subs[0].RepoURL, subs[0].Ref
	}
	s.render(c, status, "candidate", v.Assessment.Title, d)
}

func (s *server) candidateNotFound(c *gin.Context) {
	s.render(c, http.StatusNotFound, "error", "Link not valid", errorPage{Status: http.StatusNotFound,
		Message: "This link is not valid: it may be mistyped, or the invitation was withdrawn. Ask the person who invited you for a new one."})
}

func (s *server) candidateSubmit(c *gin.Context) {
	token, ok := candidateToken(c)
	if !ok {
		s.candidateNotFound(c)
		return
	}
	d := candidateData{RepoURL: strings.TrimSpace(c.PostForm("repo_url")), Ref: strings.TrimSpace(c.PostForm("ref")),
		Errors: map[string]string{}}
	repo, err := s.Intake.RepoURL(d.RepoURL)
	if err != nil {
		d.Errors["repo_url"] = sentence(strings.Replace(rules.Message(err), "repo_url", "the repository URL", 1))
	}
	if err := intake.Ref(d.Ref); err != nil {
		d.Errors["ref"] = sentence(rules.Message(err))
	}
	if len(d.Errors) > 0 {
		s.showCandidate(c, http.StatusUnprocessableEntity, d)
		return
	}
	ctx := c.Request.Context()
	if c.PostForm("again") != "yes" {
		done, err := s.workComplete(ctx, token)
		switch {
		case errors.Is(err, store.ErrNotFound):
			s.candidateNotFound(c)
			return
		case err != nil:
			s.fail(c, err)
			return
		case done:
			d.SubmitMessage = "Your last attempt scored full marks. Tick the box below to confirm you want to use another attempt."
			s.showCandidate(c, http.StatusConflict, d)
			return
		}
	}
	// Asked before anything is stored: a mistyped URL or branch costs no attempt.
	var unreachable *intake.Unreachable
	if err := s.Intake.Reachable(ctx, repo, d.Ref); errors.As(err, &unreachable) {
		d.Errors[unreachable.Field] = sentence(unreachable.Reason)
		s.showCandidate(c, http.StatusUnprocessableEntity, d)
		return
	}
	_, err = s.Store.SubmitWithReceipt(ctx, token, repo, d.Ref, c.PostForm("final") == "on", mail.Receipt)
	if err != nil {
		status, msg := rules.Status(err)
		switch status {
		case http.StatusNotFound:
			s.candidateNotFound(c)
		case http.StatusInternalServerError:
			s.fail(c, err)
		default:
			d.SubmitMessage = sentence(msg)
			s.showCandidate(c, status, d)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/c/"+token+"#progress")
}

// workComplete reports whether the token's latest attempt scored full marks
// where the candidate can see it.
func (s *server) workComplete(ctx context.Context, token string) (bool, error) {
	v, err := s.Store.OpenInvitation(ctx, token)
	if err != nil {
		return false, err
	}
	subs, err := s.Store.InvitationSubmissions(ctx, v.Invitation.ID)
	if err != nil {
		return false, err
	}
	return complete(&v.Assessment, subs), nil
}

// complete reports whether the latest of subs (newest first) scored full
// marks and the candidate sees its score (the assessment shares one, or the
// reviewers shared the scorecard): the work is done.
func complete(as *store.Assessment, subs []store.Submission) bool {
	if len(subs) == 0 {
		return false
	}
	l := subs[0]
	shown := as.CandidateView != grading.ViewNothing || l.SharedAt != nil
	return shown && l.Status == store.StatusGraded && l.Score != nil && l.MaxScore != nil &&
		*l.MaxScore > 0 && *l.Score == *l.MaxScore
}

// sentence capitalises a message and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// progressData is the live part of the candidate's page: the phases of one
// submission and, once finished, the results the assessment shows.
type progressData struct {
	Token      string
	Submission store.Submission
	Steps      []step
	Finished   bool
	// Card is what grading's ForCandidate shares of the scorecard; nil
	// when the assessment shares nothing (or there is no scorecard yet).
	Card *grading.CandidateScorecard
}

type step struct {
	Name  string
	State string // done, current, todo, failed
}

// phases a submission goes through, in order, as the candidate sees them.
var phases = []string{store.StatusQueued, store.StatusFetching, store.StatusBuilding, store.StatusStarting,
	store.StatusChecking, store.StatusGraded}

// progress builds the fragment's data. Of the scorecard it keeps what
// grading's ForCandidate shares under the assessment's candidate view, as
// the API does.
func (s *server) progress(token string, sub *store.Submission, scorecard []byte, view string) progressData {
	p := progressData{Token: token, Submission: *sub, Finished: store.Finished(sub.Status)}
	reached, failed := len(phases)-1, ""
	for i, ph := range phases {
		if ph == sub.Status {
			reached = i
		}
	}
	switch sub.Status {
	case store.StatusBuildFailed:
		reached, failed = 2, sub.Status
	case store.StatusStartFailed:
		reached, failed = 3, sub.Status
	case store.StatusError, store.StatusCanceled:
		reached, failed = 1, sub.Status // where it stopped is not recorded on the row
	}
	for i, ph := range phases[:reached+1] {
		st := "done"
		if i == reached && !p.Finished {
			st = "current"
		}
		p.Steps = append(p.Steps, step{Name: ph, State: st})
	}
	if failed != "" {
		p.Steps[len(p.Steps)-1] = step{Name: failed, State: "failed"}
	}
	for _, ph := range phases[reached+1:] {
		if failed == "" {
			p.Steps = append(p.Steps, step{Name: ph, State: "todo"})
		}
	}
	if scorecard != nil {
		sc, err := grading.ParseScorecard(scorecard)
		if err != nil {
			slog.Error("read stored scorecard", "submission", sub.ID, "err", err)
			return p
		}
		p.Card = sc.ForCandidate(view, sub.SharedAt != nil)
	}
	return p
}

// candidateSubmission loads the submission a live block of the candidate's page
// asks about, through the link's token; a block that is not found gets a plain 404.
func (s *server) candidateSubmission(c *gin.Context) (string, *store.SubmissionDetail, *store.Assessment, bool) {
	token, ok := candidateToken(c)
	if !ok {
		c.String(http.StatusNotFound, "not found")
		return "", nil, nil, false
	}
	d, as, err := s.Store.CandidateSubmission(c.Request.Context(), token, c.Param("id"))
	if err != nil {
		s.failBlock(c, err)
		return "", nil, nil, false
	}
	return token, d, as, true
}

func (s *server) candidateProgress(c *gin.Context) {
	if token, d, as, ok := s.candidateSubmission(c); ok {
		s.fragment(c, "progress", s.progress(token, &d.Submission, d.Scorecard, as.CandidateView))
	}
}

// candidateEvents streams the submission's status changes to the candidate's page,
// which refreshes its progress block on each (the link's token is the credential:
// EventSource cannot send a header).
func (s *server) candidateEvents(c *gin.Context) {
	if _, d, _, ok := s.candidateSubmission(c); ok {
		progress.Stream(c.Writer, c.Request, s.Store, d.Submission.ID)
	}
}
