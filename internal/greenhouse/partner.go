// Package greenhouse is the partner side of Greenhouse's Assessment API
// (developers.greenhouse.io/assessment.html): list_tests lists an
// organisation's assessments, send_test invites a candidate (and mails the
// link), test_status reports status, score and a link to the scorecard,
// and once the candidate is done (final submission, last attempt graded or
// deadline passed) Assay sends the "mark test as completed" PATCH, once, to
// the URL Greenhouse gave. Greenhouse authenticates with HTTP
// Basic, the organisation's API key as the username.
package greenhouse

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	assaymail "github.com/assayhq/assay/internal/mail"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/webhooks"
)

// Store is what the partner API needs of the platform's data.
type Store interface {
	SetPartnerKey(ctx context.Context, a store.Actor, partner string, hash, sealed []byte) error
	PartnerKeyOrg(ctx context.Context, partner string, hash []byte) (string, error)
	PartnerKeySealed(ctx context.Context, orgID, partner string) ([]byte, error)
	PartnerTests(ctx context.Context, orgID string) ([]store.Assessment, error)
	InviteWithMail(ctx context.Context, a store.Actor, inv *store.Invitation,
		compose func(token string, as *store.Assessment) (store.MailContent, error)) (string, error)
	ExternalInvitation(ctx context.Context, orgID, source, externalID string) (*store.Invitation, error)
	PartnerTest(ctx context.Context, orgID, source, invitationID string) (*store.PartnerTestStatus, error)
	CompleteExpiredPartnerTests(ctx context.Context) (int, error)
	Interviews(ctx context.Context, orgID, submissionID string) ([]store.Interview, error)
}

// Partner serves Greenhouse's calls for every organisation.
type Partner struct {
	Store Store
	// BaseURL is Assay's public URL: invite links and scorecard links.
	BaseURL string
	// SecretKey (ASSAY_SECRET_KEY) seals the stored API keys.
	SecretKey []byte
	// AllowLoopback accepts a loopback callback URL (development, tests).
	AllowLoopback bool
	// RequireHTTPS (production) refuses to make keys unless BaseURL is
	// https://: Greenhouse calls partners over HTTPS only, so the endpoints
	// handed out with the key must be.
	RequireHTTPS bool
}

// ErrUnauthorized is a missing or unknown API key.
var ErrUnauthorized = errors.New("unauthorized")

// Endpoints are the URLs an admin gives Greenhouse with the key.
func (p *Partner) Endpoints() map[string]string {
	base := p.BaseURL + "/api/v1/greenhouse/"
	return map[string]string{"list_tests": base + "list_tests", "send_test": base + "send_test",
		"test_status": base + "test_status", "response_error": base + "response_error"}
}

// RotateKey makes a new API key for the actor's organisation, replacing
// any previous one, and returns it: it is shown once.
func (p *Partner) RotateKey(ctx context.Context, a store.Actor) (string, error) {
	if p.RequireHTTPS && !strings.HasPrefix(p.BaseURL, "https://") {
		return "", fmt.Errorf("%w: ASSAY_BASE_URL is %s, but Greenhouse calls partners over HTTPS only; "+
			"set ASSAY_BASE_URL to Assay's https:// address and make the key again", store.ErrConflict, p.BaseURL)
	}
	key := newKey()
	sealed, err := seal(p.SecretKey, key)
	if err != nil {
		return "", err
	}
	if err := p.Store.SetPartnerKey(ctx, a, store.PartnerGreenhouse, hashKey(key), sealed); err != nil {
		return "", err
	}
	return key, nil
}

// Authenticate finds the organisation of a request from its Basic
// credentials: the API key is the username (Greenhouse appends ":").
func (p *Partner) Authenticate(ctx context.Context, r *http.Request) (string, error) {
	key, _, ok := r.BasicAuth()
	if !ok || key == "" {
		return "", fmt.Errorf("%w: HTTP Basic credentials with the API key as the username are required", ErrUnauthorized)
	}
	org, err := p.Store.PartnerKeyOrg(ctx, store.PartnerGreenhouse, hashKey(key))
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("%w: unknown API key", ErrUnauthorized)
	}
	return org, err
}

// Test is one entry of list_tests.
type Test struct {
	PartnerTestID   string `json:"partner_test_id"`
	PartnerTestName string `json:"partner_test_name"`
}

// ListTests answers list_tests: the organisation's active assessments.
func (p *Partner) ListTests(ctx context.Context, orgID string) ([]Test, error) {
	as, err := p.Store.PartnerTests(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]Test, 0, len(as))
	for _, a := range as {
		out = append(out, Test{PartnerTestID: a.ID, PartnerTestName: a.Title})
	}
	return out, nil
}

// flexString takes a JSON string or number: the documentation's own
// examples send partner_test_id both ways.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("partner_test_id must be a string or a number")
	}
	*f = flexString(n.String())
	return nil
}

// SendTestRequest is the body of send_test.
type SendTestRequest struct {
	PartnerTestID flexString `json:"partner_test_id"`
	Candidate     struct {
		FirstName            string  `json:"first_name"`
		LastName             string  `json:"last_name"`
		ResumeURL            *string `json:"resume_url"`
		PhoneNumber          *string `json:"phone_number"`
		Email                string  `json:"email"`
		GreenhouseProfileURL string  `json:"greenhouse_profile_url"`
	} `json:"candidate"`
	// URL is where to send the "mark test as completed" PATCH.
	URL string `json:"url"`
}

// SendTestResponse is the answer to send_test.
type SendTestResponse struct {
	PartnerInterviewID string `json:"partner_interview_id"`
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", store.ErrInvalid, fmt.Sprintf(format, args...))
}

// SendTest answers send_test: it invites the candidate to the assessment,
// queues the invitation mail in the same transaction, and returns the
// invitation id as partner_interview_id. Greenhouse's url (required: the
// completion PATCH goes there, and polling is deprecated) identifies the
// test it sent, so a send_test repeated with the same url, test and
// candidate answers the same id instead of inviting twice.
func (p *Partner) SendTest(ctx context.Context, orgID string, req SendTestRequest) (*SendTestResponse, error) {
	c := req.Candidate
	first, last := strings.TrimSpace(c.FirstName), strings.TrimSpace(c.LastName)
	name := first + " " + last
	email := strings.ToLower(strings.TrimSpace(c.Email))
	callback := strings.TrimSpace(req.URL)
	switch {
	case req.PartnerTestID == "":
		return nil, invalid("partner_test_id is required")
	case first == "" || last == "":
		return nil, invalid("candidate.first_name and candidate.last_name are both required")
	case rules.CandidateName(name) != nil:
		return nil, invalid("candidate.first_name and candidate.last_name: %d characters at most together", rules.MaxNameRunes)
	}
	if err := rules.Email("candidate.email", email); err != nil {
		return nil, err
	}
	if callback == "" {
		return nil, invalid("url is required: Assay calls it when the candidate is done")
	}
	if err := webhooks.CheckURL(callback, p.AllowLoopback); err != nil {
		return nil, invalid("url: %v", err)
	}
	source := store.ExternalSourceGreenhouse
	inv := store.Invitation{AssessmentID: string(req.PartnerTestID), CandidateName: name, CandidateEmail: email,
		ExternalSource: &source, ExternalID: &callback, ExternalCallback: &callback}
	actor := store.Actor{OrgID: orgID, Label: "partner:greenhouse"}
	_, err := p.Store.InviteWithMail(ctx, actor, &inv, func(token string, as *store.Assessment) (store.MailContent, error) {
		return assaymail.Invitation(&inv, as, p.BaseURL+"/c/"+token)
	})
	if errors.Is(err, store.ErrConflict) {
		prev, perr := p.Store.ExternalInvitation(ctx, orgID, source, callback)
		switch {
		case perr != nil:
			return nil, err
		case prev.AssessmentID == inv.AssessmentID && prev.CandidateEmail == email:
			return &SendTestResponse{PartnerInterviewID: prev.ID}, nil
		default:
			return nil, fmt.Errorf("%w: this url was already sent for another test or candidate", store.ErrConflict)
		}
	}
	if err != nil {
		return nil, err
	}
	return &SendTestResponse{PartnerInterviewID: inv.ID}, nil
}

// TestStatus is the answer to test_status. Properties without a value
// are null, as Greenhouse's conventions ask.
type TestStatus struct {
	PartnerStatus     string         `json:"partner_status"`
	PartnerProfileURL *string        `json:"partner_profile_url"`
	PartnerScore      *float64       `json:"partner_score"`
	Metadata          map[string]any `json:"metadata"`
}

// Statuses reported: Greenhouse acts on "complete" (results available).
const (
	StatusPending    = "pending"     // sent, not opened
	StatusInProgress = "in_progress" // opened, submitted or being graded, attempts left
	StatusComplete   = "complete"    // the candidate is done: final submission, last attempt or deadline
	StatusRevoked    = "revoked"
)

// TestStatus answers test_status for a partner_interview_id.
func (p *Partner) TestStatus(ctx context.Context, orgID, interviewID string) (*TestStatus, error) {
	st, err := p.Store.PartnerTest(ctx, orgID, store.ExternalSourceGreenhouse, interviewID)
	if err != nil {
		return nil, err
	}
	out := &TestStatus{PartnerStatus: StatusPending, Metadata: map[string]any{"Assessment": st.Assessment.Title}}
	inv := st.Invitation
	switch {
	case inv.State == store.InvitationRevoked:
		out.PartnerStatus = StatusRevoked
	case inv.OpenedAt != nil:
		out.PartnerStatus = StatusInProgress
		out.Metadata["Started At"] = inv.OpenedAt.UTC().Format("2006-01-02 15:04 MST")
	}
	sub := st.Latest
	if sub == nil {
		return out, nil
	}
	out.Metadata["Attempt"] = sub.Attempt
	out.Metadata["Status"] = sub.Status
	// Complete only once the candidate is done (the store decides and
	// records it when it queues the completion PATCH): a failed build on
	// attempt 1 of 3 is not their result.
	if inv.PartnerCompletedAt == nil || sub.FinishedAt == nil {
		return out, nil
	}
	out.PartnerStatus = StatusComplete
	link := p.BaseURL + "/submissions/" + sub.ID
	out.PartnerProfileURL = &link
	out.Metadata["Completed At"] = sub.FinishedAt.UTC().Format("2006-01-02 15:04 MST")
	if sub.Score != nil && sub.MaxScore != nil && *sub.MaxScore > 0 {
		// Greenhouse shows one number: the percentage of the points.
		score := math.Round(float64(*sub.Score)*1000/float64(*sub.MaxScore)) / 10
		out.PartnerScore = &score
		out.Metadata["Score"] = fmt.Sprintf("%d/%d", *sub.Score, *sub.MaxScore)
	} else {
		zero := 0.0
		out.PartnerScore = &zero
	}
	for _, c := range st.Categories {
		out.Metadata[titleCase(c.Name)] = fmt.Sprintf("%d/%d", c.Score, c.MaxScore)
	}
	if sub.Error != "" {
		out.Metadata["Notes"] = sub.Error
	}
	return out, p.addInterviews(ctx, orgID, sub.ID, out.Metadata)
}

// addInterviews puts the follow-up interviews' summary beside the take-home's
// result, as flat metadata (Greenhouse shows primitives only): how many
// interviewers scored the candidate and their mean rating of 1 to 4.
func (p *Partner) addInterviews(ctx context.Context, orgID, submissionID string, meta map[string]any) error {
	ivs, err := p.Store.Interviews(ctx, orgID, submissionID)
	if err != nil || len(ivs) == 0 {
		return err
	}
	rated, sum := 0, 0.0
	for _, iv := range ivs {
		if n, mean := iv.Rated(); n > 0 {
			rated++
			sum += mean
		}
	}
	meta["Interviews"] = len(ivs)
	if rated > 0 {
		meta["Interview Rating (1-4)"] = math.Round(sum/float64(rated)*10) / 10
	}
	return nil
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// CompletionRequest builds Greenhouse's "mark test as completed" call for a
// callback delivery: PATCH to the URL Greenhouse gave, no body, the
// organisation's API key as Basic credentials. Greenhouse then calls
// test_status. It is the webhooks sender's callback for "greenhouse".
func (p *Partner) CompletionRequest(ctx context.Context, d *store.OutgoingDelivery) (*http.Request, error) {
	sealed, err := p.Store.PartnerKeySealed(ctx, d.OrgID, store.PartnerGreenhouse)
	if err != nil {
		return nil, err
	}
	key, err := unseal(p.SecretKey, sealed)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, d.URL, http.NoBody)
	if err != nil {
		return nil, fmt.Errorf("greenhouse callback: %w", err)
	}
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key+":")))
	req.Header.Set("User-Agent", "Assay-Webhooks/1")
	return req, nil
}

// CompleteExpiredEvery completes, every interval until ctx ends, the tests
// whose deadline passed with a result to report, so Greenhouse hears of a
// candidate who ran out of time with attempts left.
func (p *Partner) CompleteExpiredEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := p.Store.CompleteExpiredPartnerTests(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			slog.Warn("greenhouse deadline sweep", "err", err)
		case n > 0:
			slog.Info("greenhouse tests completed at their deadline", "count", n)
		}
	}
}
