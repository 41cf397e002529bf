package web_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/store"
	"github.com/chromedp/chromedp"
)

// The journeys of issue 16: candidates learn why, keep their attempts when
// the platform fails or they mistype, and recruiters can fix an invitation.

// crashingSolution exits as soon as it starts, saying why on stderr.
var crashingSolution = map[string]string{
	"Procfile": "web: echo 'boom: DATABASE_URL is not set' >&2; exit 3\n",
}

// inviteByStore makes an assessment and an invitation to it without the
// pages (the recruiter's pages have their own journey) and returns the
// candidate's link and the assessment.
func inviteByStore(t *testing.T, e *env, attempts int, view, name, email string) (string, *store.Assessment) {
	t.Helper()
	ctx := context.Background()
	as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: helloSuite.Version, Title: "Backend engineer",
		HoursAllowed: 48, MaxSubmissions: attempts, CandidateView: view}
	if err := e.st.CreateAssessment(ctx, e.actor(store.RoleRecruiter), &as); err != nil {
		t.Fatal(err)
	}
	token, err := e.st.CreateInvitation(ctx, e.actor(store.RoleRecruiter), &store.Invitation{AssessmentID: as.ID,
		CandidateName: name, CandidateEmail: email})
	if err != nil {
		t.Fatal(err)
	}
	return e.url + "/c/" + token, &as
}

// TestJourneyCandidateLearnsWhy: a mistyped repository and a mistyped
// branch are refused on the page without using an attempt; the real
// submission's service crashes on start, and the page says which phase
// failed, why, and the end of its output.
func TestJourneyCandidateLearnsWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser and grades in the sandbox: not in -short")
	}
	repo, repoHost := serveRepo(t, "crash", crashingSolution)
	e := newEnv(t, repoHost)
	runWorker(t, e)
	b := newBrowser(t)
	link, _ := inviteByStore(t, e, 2, store.ViewTotal, "Ada Lovelace", "ada@example.com")

	cand := b.tab()
	b.do(cand, "open invitation", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("repo_url")))
	submit := func(what, url, ref, errID string) {
		b.do(cand, what,
			chromedp.Clear(chromedp.ID("repo_url")), chromedp.SendKeys(chromedp.ID("repo_url"), url),
			chromedp.Clear(chromedp.ID("ref")), chromedp.SendKeys(chromedp.ID("ref"), ref),
			chromedp.Click(chromedp.CSS(`form[action$="/submit"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.ID(errID)))
	}
	submit("submit a mistyped repository", repo+"-typo", "", "repo-err")
	if got := b.text(cand, "#repo-err"); !strings.Contains(got, "No public repository at") {
		t.Errorf("mistyped repository: %q", got)
	}
	b.screenshot(cand, "20-candidate-mistyped-url")
	submit("submit a mistyped branch", repo, "mian", "ref-err")
	if got := b.text(cand, "#ref-err"); !strings.Contains(got, `no branch or tag "mian"`) {
		t.Errorf("mistyped branch: %q", got)
	}
	if got := b.text(cand, ".deadline"); !strings.Contains(got, "Attempts left: 2 of 2") {
		t.Errorf("a refused submission used an attempt: %q", got)
	}

	b.do(cand, "submit the crashing service",
		chromedp.Clear(chromedp.ID("ref")),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("progress")))
	b.waitText(cand, "#progress h2", "start failed", 4*time.Minute)
	failure := b.text(cand, "#progress .failure")
	for _, want := range []string{"phase failed", "DATABASE_URL is not set"} {
		if !strings.Contains(failure, want) {
			t.Errorf("the candidate's page does not say %q: %q", want, failure)
		}
	}
	b.screenshot(cand, "21-candidate-start-failed")
	if b.dialogs.Load() != 0 {
		t.Errorf("%d dialogs opened", b.dialogs.Load())
	}
}

// finishAs ends a submission as a worker would, with card (nil: none).
func finishAs(t *testing.T, e *env, subID, status string, card *grading.Scorecard) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.st.ClaimSubmission(ctx, subID, "test", time.Minute); err != nil {
		t.Fatal(err)
	}
	res := store.GradeResult{Status: status, Takehome: helloSuite.Slug, SuiteVersion: "1", Message: "the sandbox could not start"}
	if card != nil {
		raw, err := json.Marshal(card)
		if err != nil {
			t.Fatal(err)
		}
		res.Score, res.MaxScore, res.Scorecard = card.Score, card.MaxScore, raw
	}
	if err := e.st.FinishGrading(ctx, subID, "test", res); err != nil {
		t.Fatal(err)
	}
}

// latestSubmission is the id of the newest submission of the organisation.
func latestSubmission(t *testing.T, e *env) string {
	t.Helper()
	rows, _, err := e.st.Submissions(context.Background(), e.org, store.SubmissionFilter{}, store.Page{Limit: 1})
	if err != nil || len(rows) == 0 {
		t.Fatalf("latest submission: %v", err)
	}
	return rows[0].ID
}

// TestJourneyAttemptsAndSharing: a platform error gives the attempt back;
// a reviewer shares the full scorecard and the candidate then reads the
// hidden check; after full marks another attempt must be confirmed.
func TestJourneyAttemptsAndSharing(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	e := newEnv(t, "")
	b := newBrowser(t)
	link, as := inviteByStore(t, e, 2, store.ViewVisibleChecks, "Ada Lovelace", "ada@example.com")
	cand := b.tab()
	submit := func(what string, wait chromedp.Action[chromedp.Void]) {
		b.do(cand, what, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("repo_url")),
			chromedp.Clear(chromedp.ID("repo_url")), chromedp.SendKeys(chromedp.ID("repo_url"), "https://github.com/ada/hello"),
			chromedp.Click(chromedp.CSS(`form[action$="/submit"] button[type=submit]`)), wait)
	}

	submit("first attempt", chromedp.WaitVisible(chromedp.ID("progress")))
	finishAs(t, e, latestSubmission(t, e), store.StatusError, nil)
	b.do(cand, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("progress")))
	if got := b.text(cand, "#progress"); !strings.Contains(got, "This attempt does not count") {
		t.Errorf("platform error: %q", got)
	}
	if got := b.text(cand, ".deadline"); !strings.Contains(got, "Attempts left: 2 of 2") {
		t.Errorf("the platform's error used an attempt: %q", got)
	}
	b.screenshot(cand, "22-candidate-platform-error")

	submit("second attempt", chromedp.WaitVisible(chromedp.ID("progress")))
	b.waitText(cand, "#progress h2", "Attempt 2", 10*time.Second)
	graded := latestSubmission(t, e)
	finishAs(t, e, graded, store.StatusGraded, &grading.Scorecard{Takehome: helloSuite.Slug, SuiteVersion: "1",
		Status: grading.StatusGraded, Score: 100, MaxScore: 100, Checks: []grading.CheckResult{
			{ID: "hello.answers", Title: "GET / answers 200", Category: grading.Endpoints, Status: grading.CheckPassed, Score: 60, MaxScore: 60, Visibility: grading.Visible},
			{ID: "hello.secret", Title: "Survives a restart", Category: grading.Correctness, Status: grading.CheckPassed, Score: 40, MaxScore: 40,
				Visibility: grading.Hidden, Evidence: map[string]any{"exchanges": "restart-evidence"}},
		}})
	b.do(cand, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#progress .total")))
	if got := b.text(cand, "#progress"); strings.Contains(got, "Survives a restart") || !strings.Contains(got, "40 points are in checks") {
		t.Errorf("before sharing: %q", got)
	}

	rev := b.tab()
	b.signIn(rev, e.url, "reviewer@acme.test")
	b.do(rev, "share", chromedp.Navigate(e.url+"/submissions/"+graded),
		chromedp.WaitVisible(chromedp.CSS("form.share button")), chromedp.Click(chromedp.CSS("form.share button")),
		chromedp.WaitVisible(chromedp.CSS(".tag.shared")))
	b.screenshot(rev, "23-reviewer-shared")
	b.do(cand, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#progress .shared")))
	if got := b.text(cand, "#progress"); !strings.Contains(got, "Survives a restart") || strings.Contains(got, "restart-evidence") {
		t.Errorf("after sharing: %q", got)
	}

	// The recruiters' table shows the outcome and links to the scorecard.
	if _, err := e.st.AddReview(context.Background(), e.actor(store.RoleReviewer), graded, "advance", "strong"); err != nil {
		t.Fatal(err)
	}
	rec := b.tab()
	b.signIn(rec, e.url, "recruiter@acme.test")
	b.do(rec, "invitations table", chromedp.Navigate(e.url+"/assessments/"+as.ID), chromedp.WaitVisible(chromedp.CSS("table.invitations")))
	if score, decision := b.text(rec, "table.invitations td.score"), b.text(rec, "table.invitations td.decision"); score != "100/100" || decision != "advance" {
		t.Errorf("invitations table: score %q, decision %q", score, decision)
	}
	b.do(rec, "open the submission", chromedp.Click(chromedp.CSS("table.invitations td.score a")),
		chromedp.WaitVisible(chromedp.CSS(".tag.shared")))

	// Full marks: the page says the work is complete and asks before another attempt.
	if got := b.text(cand, "#submit .complete"); !strings.Contains(got, "Your work is complete") {
		t.Errorf("full marks: %q", got)
	}
	b.screenshot(cand, "24-candidate-complete")
	submit("submit again unconfirmed", chromedp.WaitVisible(chromedp.CSS(`#submit [role=alert]`)))
	if got := b.text(cand, "#submit [role=alert]"); !strings.Contains(got, "Tick the box") {
		t.Errorf("unconfirmed attempt: %q", got)
	}
	if got := b.text(cand, ".deadline"); !strings.Contains(got, "Attempts left: 1 of 2") {
		t.Errorf("an unconfirmed attempt was taken: %q", got)
	}
	b.do(cand, "confirm another attempt", chromedp.Click(chromedp.ID("again")),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("progress")))
	b.waitText(cand, "#progress h2", "Attempt 3", 10*time.Second)
	if b.dialogs.Load() != 0 {
		t.Errorf("%d dialogs opened", b.dialogs.Load())
	}
}

// TestJourneyRecruiterFixesAnInvitation: a fresh link retires the old one;
// an extra attempt and more time reach the candidate's page and mailbox; an
// already-invited CSV row is skipped; revoke asks first and can be undone.
func TestJourneyRecruiterFixesAnInvitation(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	e := newEnv(t, "")
	b := newBrowser(t)
	oldLink, as := inviteByStore(t, e, 2, store.ViewTotal, "Ada Lovelace", "ada@example.com")
	page := e.url + "/assessments/" + as.ID
	rec := b.tab()
	b.signIn(rec, e.url, "recruiter@acme.test")

	// A new link: shown once, the old one stops working.
	b.do(rec, "resend", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("table.invitations")),
		chromedp.Click(chromedp.CSS(`form[action$="/link"] button`)), chromedp.WaitVisible(chromedp.CSS(".link-field")))
	newLink, err := chromedp.Run(rec, chromedp.Value(chromedp.CSS(".link-field")))
	if err != nil || !strings.HasPrefix(newLink, e.url+"/c/") || newLink == oldLink {
		t.Fatalf("new link %q: %v", newLink, err)
	}
	b.screenshot(rec, "25-recruiter-new-link")
	cand := b.tab()
	b.do(cand, "old link", chromedp.Navigate(oldLink), chromedp.WaitVisible(chromedp.CSS("main")))
	if got := b.text(cand, "main"); !strings.Contains(got, "This link is not valid") {
		t.Errorf("old link after resend: %q", got)
	}
	b.do(cand, "new link", chromedp.Navigate(newLink), chromedp.WaitVisible(chromedp.ID("repo_url")))

	// An extra attempt and a day more.
	b.do(rec, "grant", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("details.grant summary")),
		chromedp.Click(chromedp.CSS("details.grant summary")),
		chromedp.SetValue(chromedp.CSS(`details.grant input[name=extra_attempts]`), "1"),
		chromedp.SetValue(chromedp.CSS(`details.grant input[name=extra_hours]`), "24"),
		chromedp.Click(chromedp.CSS(`details.grant button[type=submit]`)))
	// The old page's table is visible until the post answers: wait for the grant itself.
	if got := b.waitText(rec, "table.invitations tbody tr", "+1 attempt", 10*time.Second); !strings.Contains(got, "+24 h") {
		t.Errorf("the table does not show the grant: %q", got)
	}
	b.screenshot(rec, "25b-invitations-table")
	b.do(cand, "candidate reloads", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("repo_url")))
	if got := b.text(cand, ".deadline"); !strings.Contains(got, "Attempts left: 3 of 3") {
		t.Errorf("candidate after the grant: %q", got)
	}

	// The same candidate in a CSV upload is skipped.
	csvFile := filepath.Join(t.TempDir(), "candidates.csv")
	if err := os.WriteFile(csvFile, []byte("name,email\nAda Lovelace,ada@example.com\nGrace Hopper,grace@example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do(rec, "upload CSV", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("file")),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{csvFile}),
		chromedp.Click(chromedp.CSS(`form[action$="/csv"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/confirm"]`)))
	if got := b.text(rec, "main"); !strings.Contains(got, "1 of 2 rows can be invited") || !strings.Contains(got, "already invited") {
		t.Errorf("CSV preview: %q", got)
	}
	b.screenshot(rec, "26-csv-already-invited")
	b.do(rec, "confirm CSV", chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".link-field")))
	if got := b.text(rec, "ul.links"); !strings.Contains(got, "Grace Hopper") || strings.Contains(got, "Ada") {
		t.Errorf("CSV invitations: %q", got)
	}

	// Revoke Grace (newest, first row): asked first, then undone.
	graceRow := "table.invitations tbody tr:first-child"
	b.do(rec, "revoke", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(graceRow)),
		chromedp.Click(chromedp.CSS(graceRow+` form[action$="/revoke"] button`)),
		chromedp.WaitReady(chromedp.CSS(`input[name=confirm]`)))
	if got := b.text(rec, "main"); !strings.Contains(got, "Grace Hopper") || !strings.Contains(got, "can undo") {
		t.Errorf("revoke confirmation: %q", got)
	}
	b.screenshot(rec, "27-revoke-confirm")
	b.do(rec, "confirm revoke", chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button`)),
		chromedp.WaitVisible(chromedp.CSS(graceRow+` form[action$="/restore"] button`)))
	b.do(rec, "undo revoke", chromedp.Click(chromedp.CSS(graceRow+` form[action$="/restore"] button`)),
		chromedp.WaitVisible(chromedp.CSS(graceRow+` form[action$="/revoke"] button`)))
	if got := b.text(rec, graceRow); !strings.Contains(got, "pending") {
		t.Errorf("after undo: %q", got)
	}

	// The grant and the new link were mailed.
	adm := b.tab()
	b.signIn(adm, e.url, "admin@acme.test")
	b.do(adm, "mail page", chromedp.Navigate(e.url+"/admin/mail"), chromedp.WaitVisible(chromedp.CSS("ul.mail")))
	mails := b.text(adm, "ul.mail")
	for _, kind := range []string{"grant", "new_link"} {
		if !strings.Contains(mails, kind) {
			t.Errorf("no %s mail: %q", kind, mails)
		}
	}
	b.screenshot(adm, "28-mail-grant-new-link")
	if b.dialogs.Load() != 0 {
		t.Errorf("%d dialogs opened", b.dialogs.Load())
	}
}
