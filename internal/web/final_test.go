package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/store"
)

// TestCandidateMarksFinalSubmission: the candidate's "this is my final
// submission" checkbox is recorded on the submission, and no attempt is
// taken after it though attempts were left.
func TestCandidateMarksFinalSubmission(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: "Round", HoursAllowed: 24, MaxSubmissions: 3, CandidateView: store.ViewTotal}
	if err := e.st.CreateAssessment(ctx, e.actor(store.RoleRecruiter), &as); err != nil {
		t.Fatal(err)
	}
	inv := store.Invitation{AssessmentID: as.ID, CandidateName: "Ada", CandidateEmail: "ada@example.com"}
	token, err := e.st.CreateInvitation(ctx, e.actor(store.RoleRecruiter), &inv)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: &cookieJar{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := e.url + "/c/" + token
	csrf := csrfTokenOf(t, c, page)
	if resp, _ := c.Get(page); !strings.Contains(readBody(t, resp), `name="final"`) {
		t.Fatal("the submit form has no final-submission checkbox")
	}
	submit := func(final bool) (int, string) {
		form := url.Values{"csrf_token": {csrf}, "repo_url": {"https://github.com/ada/hello"}}
		if final {
			form.Set("final", "on")
		}
		resp, err := c.PostForm(page+"/submit", form)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readBody(t, resp)
	}
	if status, body := submit(true); status != http.StatusSeeOther {
		t.Fatalf("final submission: %d\n%s", status, body)
	}
	subs, err := e.st.InvitationSubmissions(ctx, inv.ID)
	if err != nil || len(subs) != 1 || !subs[0].Final {
		t.Fatalf("submissions %+v %v, want one marked final", subs, err)
	}
	if status, body := submit(false); status != http.StatusForbidden || !strings.Contains(body, "marked as the final one") {
		t.Fatalf("a submission after the final one: %d", status)
	}
}
