package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/store"
	"github.com/chromedp/chromedp"
)

// TestAuditPageIsAdminsOwnOrganisationPagedAndFiltered: an admin reads their
// organisation's audit log a page at a time, narrows it by action, actor,
// target type and dates, and never sees another organisation's entries;
// other roles and strangers are turned away.
func TestAuditPageIsAdminsOwnOrganisationPagedAndFiltered(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	for i := range 52 {
		as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: fmt.Sprintf("Round %d", i), HoursAllowed: 24,
			MaxSubmissions: 1, CandidateView: store.ViewTotal}
		if err := e.st.CreateAssessment(ctx, e.actor(store.RoleRecruiter), &as); err != nil {
			t.Fatal(err)
		}
	}
	org, err := e.st.EnsureOrganization(ctx, "Elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	secret := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: "Elsewhere round", HoursAllowed: 24,
		MaxSubmissions: 1, CandidateView: store.ViewTotal}
	if err := e.st.CreateAssessment(ctx, store.Actor{OrgID: org.ID, Label: "user:someone@elsewhere.test"}, &secret); err != nil {
		t.Fatal(err)
	}

	admin := staffClient(e, store.RoleAdmin)
	get := func(c *http.Client, path string) (int, string) {
		t.Helper()
		resp, err := c.Get(e.url + path)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readBody(t, resp)
	}
	entryRow := regexp.MustCompile(`<tr>\s*<td>`)
	rows := func(body string) int { return len(entryRow.FindAllString(body, -1)) }
	next := regexp.MustCompile(`href="(/admin/audit\?[^"]+)" rel="next"`)

	// The first page: the newest 50 of 55 entries (3 users, 52 assessments).
	status, body := get(admin, "/admin/audit")
	if status != http.StatusOK || rows(body) != 50 || !strings.Contains(body, `href="/admin/audit"`) {
		t.Fatalf("first page: %d, %d rows:\n%s", status, rows(body), body)
	}
	if strings.Contains(body, secret.ID) || strings.Contains(body, "Elsewhere round") {
		t.Fatal("the audit page shows another organisation's entry")
	}
	m := next.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link to older entries:\n%s", body)
	}
	status, body = get(admin, html.UnescapeString(m[1]))
	if status != http.StatusOK || rows(body) != 5 || next.MatchString(body) || !strings.Contains(body, "user.created") {
		t.Fatalf("second page: %d, %d rows", status, rows(body))
	}

	// Filters, kept on the next page's link.
	status, body = get(admin, "/admin/audit?action=assessment.created&target_type=assessment&actor=recruiter@")
	m = next.FindStringSubmatch(body)
	if status != http.StatusOK || rows(body) != 50 || strings.Contains(body, "<td><code>user.created") || m == nil ||
		!strings.Contains(m[1], "action=assessment.created") || !strings.Contains(m[1], "actor=recruiter%40") {
		t.Fatalf("filtered: %d, %d rows, next %v", status, rows(body), m)
	}
	if status, body = get(admin, html.UnescapeString(m[1])); rows(body) != 2 {
		t.Fatalf("filtered second page: %d, %d rows", status, rows(body))
	}
	if _, body = get(admin, "/admin/audit?actor=nobody"); rows(body) != 0 || !strings.Contains(body, "No entries match") {
		t.Fatalf("an actor with no entries: %d rows", rows(body))
	}
	today, tomorrow := time.Now().UTC().Format("2006-01-02"), time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
	if _, body = get(admin, "/admin/audit?action=user.created&from="+today+"&to="+today); rows(body) != 3 {
		t.Fatalf("today's user.created: %d rows", rows(body))
	}
	if _, body = get(admin, "/admin/audit?from="+tomorrow); rows(body) != 0 {
		t.Fatalf("from tomorrow: %d rows", rows(body))
	}
	if status, body = get(admin, "/admin/audit?from=yesterday"); status != http.StatusBadRequest || !strings.Contains(body, "The start date must be a date") {
		t.Fatalf("a bad date: %d", status)
	}
	if status, _ = get(admin, "/admin/audit?cursor=garbage"); status != http.StatusBadRequest {
		t.Fatalf("a made-up cursor: %d", status)
	}

	// Other roles, strangers and no session.
	for _, role := range []string{store.RoleRecruiter, store.RoleReviewer} {
		if status, _ := get(staffClient(e, role), "/admin/audit"); status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", role, status)
		}
	}
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if status, _ := get(anon, "/admin/audit"); status != http.StatusSeeOther {
		t.Errorf("no session: %d, want a redirect to sign in", status)
	}
	if _, body := get(admin, "/assessments"); !strings.Contains(body, `href="/admin/audit"`) {
		t.Error("the admin navigation does not link to the audit page")
	}
}

// TestAuditPageInBrowser: an admin follows the navigation to the audit
// page, picks an action from the filter and reads only those entries.
func TestAuditPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	e := newEnv(t, "")
	for i := range 3 {
		as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: fmt.Sprintf("Round %d", i), HoursAllowed: 24,
			MaxSubmissions: 1, CandidateView: store.ViewTotal}
		if err := e.st.CreateAssessment(context.Background(), e.actor(store.RoleRecruiter), &as); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t)
	adm := b.tab()
	b.signIn(adm, e.url, "admin@acme.test")
	b.do(adm, "audit page from the navigation", chromedp.Navigate(e.url+"/assessments"),
		chromedp.Click(chromedp.CSS(`nav a[href="/admin/audit"]`)), chromedp.WaitVisible(chromedp.ID("audit-entries")))
	count := func() int {
		n, err := chromedp.Run(adm, chromedp.Evaluate[int](`document.querySelectorAll("#audit-entries tbody tr").length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Six entries: three users created by the test set-up, three assessments
	// (signing in is not audited).
	if n := count(); n != 6 {
		t.Fatalf("%d entries before filtering, want 6", n)
	}
	b.do(adm, "filter by action", chromedp.SetValue(chromedp.ID("a-action"), "assessment.created"),
		chromedp.Click(chromedp.CSS(`#audit-filter button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`#a-action option[value="assessment.created"][selected]`)))
	if n := count(); n != 3 {
		t.Fatalf("%d entries of assessment.created, want 3", n)
	}
	if got := b.text(adm, "#audit-entries tbody"); !strings.Contains(got, "user:recruiter@acme.test") || strings.Contains(got, "user.created") {
		t.Errorf("filtered entries: %q", got)
	}
	b.screenshot(adm, "audit-filtered")
	if b.dialogs.Load() != 0 {
		t.Errorf("%d dialogs opened", b.dialogs.Load())
	}
}

// TestWebhooksPageShowsRefusedGreenhouseCalls: a completion call Greenhouse
// refused (not retried) is on the admins' webhooks page with its status and
// the first line of Greenhouse's answer.
func TestWebhooksPageShowsRefusedGreenhouseCalls(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: "Round", HoursAllowed: 24, MaxSubmissions: 1, CandidateView: store.ViewTotal}
	if err := e.st.CreateAssessment(ctx, e.actor(store.RoleRecruiter), &as); err != nil {
		t.Fatal(err)
	}
	source, callback := store.ExternalSourceGreenhouse, "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1"
	token, err := e.st.CreateInvitation(ctx, store.Actor{OrgID: e.org, Label: "partner:greenhouse"}, &store.Invitation{AssessmentID: as.ID,
		CandidateName: "Harry Potter", CandidateEmail: "harry@example.com", ExternalSource: &source, ExternalID: &callback, ExternalCallback: &callback})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.st.Submit(ctx, token, "https://github.com/harry/x", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.ClaimSubmission(ctx, sub.ID, "test", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := e.st.FinishGrading(ctx, sub.ID, "test", store.GradeResult{Status: store.StatusBuildFailed, Message: "no go.mod"}); err != nil {
		t.Fatal(err)
	}
	cbs, _, err := e.st.CallbackDeliveries(ctx, e.org, store.CallbackGreenhouse, store.Page{})
	if err != nil || len(cbs) != 1 {
		t.Fatalf("the last attempt queued %d completion calls (%v), want 1", len(cbs), err)
	}
	if err := e.st.RecordDeliveryAttempt(ctx, cbs[0].ID, store.DeliveryAttempt{At: time.Now(), StatusCode: 422, Error: "HTTP 422",
		Response: "Candidate has been hired\n<details>"}, true); err != nil {
		t.Fatal(err)
	}
	resp, err := staffClient(e, store.RoleAdmin).Get(e.url + "/admin/webhooks")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	section := body[max(0, strings.Index(body, `id="greenhouse-callbacks"`)):]
	for _, want := range []string{"Greenhouse completion calls", "failed", "422", "<code>Candidate has been hired</code>"} {
		if !strings.Contains(section, want) {
			t.Fatalf("the webhooks page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(section, "&lt;details&gt;") {
		t.Error("the page shows more than the answer's first line")
	}
}
