package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/store"
)

// staffClient is an HTTP client signed in as role, not following redirects.
func staffClient(e *env, role string) *http.Client {
	jar := &cookieJar{}
	u, _ := url.Parse(e.url)
	jar.SetCookies(u, []*http.Cookie{e.sessionCookie(role)})
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCSVInvitationsPreviewThenCreate(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: "Round", HoursAllowed: 24, MaxSubmissions: 1, CandidateView: store.ViewTotal}
	if err := e.st.CreateAssessment(ctx, e.actor(store.RoleRecruiter), &as); err != nil {
		t.Fatal(err)
	}
	c := staffClient(e, store.RoleRecruiter)
	page := e.url + "/assessments/" + as.ID
	token := csrfTokenOf(t, c, page)

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", token)
	fw, _ := mw.CreateFormFile("file", "candidates.csv")
	io.WriteString(fw, "name,email\nAda,ada@example.com\n<b>Eve</b>,eve@\nLinus,linus@example.com\n")
	mw.Close()
	resp, err := c.Post(page+"/invitations/csv", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	preview := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(preview, "2 of 3 rows can be invited") ||
		!strings.Contains(preview, "&lt;b&gt;Eve&lt;/b&gt;") || !strings.Contains(preview, "the email must be an address") {
		t.Fatalf("preview %d:\n%s", resp.StatusCode, preview)
	}
	if n := countInvitations(t, e, as.ID); n != 0 {
		t.Fatalf("the preview created %d invitations", n)
	}

	src := "name,email\nAda,ada@example.com\n<b>Eve</b>,eve@\nLinus,linus@example.com\n"
	resp, err = c.PostForm(page+"/invitations/csv/confirm", url.Values{"csrf_token": {token}, "source": {src}})
	if err != nil {
		t.Fatal(err)
	}
	done := readBody(t, resp)
	if resp.StatusCode != http.StatusCreated || strings.Count(done, `class="link-field"`) != 2 || !strings.Contains(done, e.url+"/c/") {
		t.Fatalf("confirm %d:\n%s", resp.StatusCode, done)
	}
	if n := countInvitations(t, e, as.ID); n != 2 {
		t.Errorf("%d invitations, want 2", n)
	}
	mail, _, err := e.st.MailOutbox(ctx, e.org, store.Page{})
	if err != nil || len(mail) != 2 || mail[0].Kind != store.MailInvitation {
		t.Errorf("invitation mail: %+v %v", mail, err)
	}
}

func countInvitations(t *testing.T, e *env, assessmentID string) int {
	t.Helper()
	rows, _, err := e.st.Invitations(context.Background(), e.org, store.InvitationFilter{AssessmentID: assessmentID}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

func TestStarterKitZip(t *testing.T) {
	e := newEnv(t, "")
	resp, err := http.Get(e.url + "/takehomes/hello/starter.zip")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("starter kit: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "hello-starter/Procfile,hello-starter/README.md" {
		t.Errorf("zip holds %v", names)
	}
	if resp, _ := http.Get(e.url + "/takehomes/nope/starter.zip"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown take-home: %d", resp.StatusCode)
	}
}

func TestPagesAskForSignInAndRole(t *testing.T) {
	e := newEnv(t, "")
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := anon.Get(e.url + "/submissions?status=graded")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/login?next=%2Fsubmissions%3Fstatus%3Dgraded" {
		t.Errorf("anonymous: %d to %q", resp.StatusCode, loc)
	}
	for _, tc := range []struct {
		role, path string
		want       int
	}{
		{store.RoleReviewer, "/admin/users", http.StatusForbidden},
		{store.RoleReviewer, "/assessments/new", http.StatusForbidden},
		{store.RoleRecruiter, "/admin/mail", http.StatusForbidden},
		{store.RoleAdmin, "/admin/users", http.StatusOK},
		{store.RoleReviewer, "/admin/audit", http.StatusForbidden},
		{store.RoleRecruiter, "/admin/audit", http.StatusForbidden},
		{store.RoleAdmin, "/admin/audit", http.StatusOK},
		{store.RoleReviewer, "/submissions/00000000-0000-0000-0000-000000000000", http.StatusNotFound},
	} {
		resp, err := staffClient(e, tc.role).Get(e.url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s GET %s: %d, want %d", tc.role, tc.path, resp.StatusCode, tc.want)
		}
	}
	// A revoked or made-up candidate link says so, without detail.
	resp, _ = http.Get(e.url + "/c/not-a-token")
	if body := readBody(t, resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "This link is not valid") {
		t.Errorf("bad candidate link: %d", resp.StatusCode)
	}
}

func TestStaffStatusPollsUntilFinished(t *testing.T) {
	e := newEnv(t, "")
	graded, _ := gradedSubmission(t, e, "Ada")
	ctx := context.Background()
	as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: "Round", HoursAllowed: 24, MaxSubmissions: 1, CandidateView: store.ViewTotal}
	if err := e.st.CreateAssessment(ctx, e.actor(store.RoleRecruiter), &as); err != nil {
		t.Fatal(err)
	}
	token, err := e.st.CreateInvitation(ctx, e.actor(store.RoleRecruiter), &store.Invitation{AssessmentID: as.ID, CandidateName: "Bo", CandidateEmail: "bo@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	queued, err := e.st.Submit(ctx, token, "https://github.com/bo/x", "")
	if err != nil {
		t.Fatal(err)
	}
	c := staffClient(e, store.RoleReviewer)
	for id, want := range map[string]string{queued.ID: `data-events="/submissions/` + queued.ID + `/events"`, graded: "reload to see the scorecard"} {
		resp, err := c.Get(e.url + "/submissions/" + id + "/status")
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, resp); !strings.Contains(body, want) {
			t.Errorf("status of %s lacks %q:\n%s", id, want, body)
		}
	}
	resp, _ := c.Get(e.url + "/submissions/" + queued.ID)
	if body := readBody(t, resp); !strings.Contains(body, `hx-get="/submissions/`+queued.ID+`/status"`) {
		t.Errorf("the page of a queued submission does not poll")
	}
}

func TestWebhookEndpointsPage(t *testing.T) {
	e := newEnv(t, "")
	c := staffClient(e, store.RoleAdmin)
	token := csrfTokenOf(t, c, e.url+"/admin/webhooks")
	post := func(path string, v url.Values) (int, string) {
		v.Set("csrf_token", token)
		resp, err := c.PostForm(e.url+path, v)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readBody(t, resp)
	}
	if status, body := post("/admin/webhooks", url.Values{"url": {"http://10.0.0.1/hook"}, "event_types": {"submission.graded"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "The URL is refused") {
		t.Errorf("private URL: %d", status)
	}
	status, body := post("/admin/webhooks", url.Values{"url": {"https://ats.example.com/hook"}, "description": {"<i>ATS</i>"},
		"event_types": {"submission.graded", "review.decided"}})
	if status != http.StatusCreated || !strings.Contains(body, `value="whsec_`) || !strings.Contains(body, "&lt;i&gt;ATS&lt;/i&gt;") {
		t.Fatalf("create: %d\n%s", status, body)
	}
	eps, _, err := e.st.WebhookEndpoints(context.Background(), e.org, store.Page{})
	if err != nil || len(eps) != 1 || len(eps[0].EventTypes) != 2 {
		t.Fatalf("endpoints: %+v %v", eps, err)
	}
	id := eps[0].ID
	if status, _ := post("/admin/webhooks/"+id, url.Values{"action": {"disable"}}); status != http.StatusSeeOther {
		t.Errorf("disable: %d", status)
	}
	if status, body := post("/admin/webhooks/"+id+"/test", url.Values{}); status != http.StatusOK || !strings.Contains(body, "ping") {
		t.Errorf("test: %d", status)
	}
	resp, _ := c.Get(e.url + "/admin/webhooks")
	if body := readBody(t, resp); strings.Contains(body, "whsec_") || !strings.Contains(body, "disabled") {
		t.Errorf("the list shows a secret or not the disabled state")
	}
	if status, _ := post("/admin/webhooks/"+id+"/delete", url.Values{}); status != http.StatusSeeOther {
		t.Errorf("delete: %d", status)
	}
	if eps, _, _ := e.st.WebhookEndpoints(context.Background(), e.org, store.Page{}); len(eps) != 0 {
		t.Errorf("%d endpoints after delete", len(eps))
	}
}

// TestCandidateSeesWhatTheAssessmentAllows: nothing, the full total, or the
// full total and visible checks with the points the others hold; never a
// hidden check or evidence.
func TestCandidateSeesWhatTheAssessmentAllows(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	card := hostileScorecard(60)
	card.Checks = append(card.Checks, grading.CheckResult{ID: "hello.secret", Title: "Hidden check", Category: grading.Quality,
		Status: grading.CheckFailed, MaxScore: 10, Visibility: grading.Hidden, Evidence: map[string]any{}})
	card.MaxScore = 110
	const unshared = "10 points are in checks your reviewers have not shared"
	for view, want := range map[string][]string{
		store.ViewNothing:       {"The team will be in touch"},
		store.ViewTotal:         {"Score: <strong>60</strong> / 110"},
		store.ViewVisibleChecks: {"Score: <strong>60</strong> / 110", "GET /about answers 200", unshared},
	} {
		as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: "1", Title: "View " + view, HoursAllowed: 24, MaxSubmissions: 2, CandidateView: view}
		if err := e.st.CreateAssessment(ctx, e.actor(store.RoleRecruiter), &as); err != nil {
			t.Fatal(err)
		}
		token, err := e.st.CreateInvitation(ctx, e.actor(store.RoleRecruiter), &store.Invitation{AssessmentID: as.ID, CandidateName: "C", CandidateEmail: view + "@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := e.st.Submit(ctx, token, "https://github.com/c/x", "")
		if err != nil {
			t.Fatal(err)
		}
		storeScorecard(t, e, sub.ID, card)
		for _, path := range []string{"/c/" + token, "/c/" + token + "/submissions/" + sub.ID + "/progress"} {
			resp, err := http.Get(e.url + path)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: %s lacks %q", view, path, w)
				}
			}
			for _, never := range []string{"Hidden check", "hello.secret", "evidence", "exchange", "<img"} {
				if strings.Contains(body, never) {
					t.Errorf("%s: %s shows %q", view, path, never)
				}
			}
			if view != store.ViewVisibleChecks && strings.Contains(body, "GET /about answers 200") {
				t.Errorf("%s: %s lists checks", view, path)
			}
			if view == store.ViewNothing && strings.Contains(body, "Score:") {
				t.Errorf("nothing: %s shows the score", path)
			}
			if view != store.ViewVisibleChecks && strings.Contains(body, unshared) {
				t.Errorf("%s: %s speaks of checks it does not list", view, path)
			}
		}
	}
}

func TestOversizedFormIsTooLarge(t *testing.T) {
	e := newEnv(t, "")
	c := staffClient(e, store.RoleRecruiter)
	token := csrfTokenOf(t, c, e.url+"/assessments/new")
	resp, err := c.PostForm(e.url+"/assessments", url.Values{"csrf_token": {token}, "instructions": {strings.Repeat("x", 2<<20)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MB form: %d, want 413", resp.StatusCode)
	}
}

// TestLiveEvents: the staff page and the candidate's page get the submission's
// status changes as server-sent events, ending once it is finished; nobody else does.
func TestLiveEvents(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	graded, token := gradedSubmission(t, e, "Ada")
	_, otherToken := gradedSubmission(t, e, "Bo")

	stream := func(c *http.Client, path string) (int, string) {
		resp, err := c.Get(e.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Errorf("%s: content type %q", path, resp.Header.Get("Content-Type"))
		}
		return resp.StatusCode, body
	}
	wantStream := func(status int, body string) {
		t.Helper()
		for _, want := range []string{"event: status\ndata: {", `"status":"queued"`, `"status":"graded"`, "event: done\n"} {
			if status != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("status %d, the stream lacks %q:\n%s", status, want, body)
			}
		}
	}
	wantStream(stream(staffClient(e, store.RoleReviewer), "/submissions/"+graded+"/events"))
	wantStream(stream(http.DefaultClient, "/c/"+token+"/submissions/"+graded+"/events"))

	// Another candidate's link, a made-up link, another organisation, no session.
	if status, _ := stream(http.DefaultClient, "/c/"+otherToken+"/submissions/"+graded+"/events"); status != http.StatusNotFound {
		t.Errorf("another candidate's token: %d", status)
	}
	if status, _ := stream(http.DefaultClient, "/c/made-up/submissions/"+graded+"/events"); status != http.StatusNotFound {
		t.Errorf("made-up token: %d", status)
	}
	org, err := e.st.EnsureOrganization(ctx, "Elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	outsider := &store.User{Email: "outsider@elsewhere.test", Role: store.RoleAdmin}
	if err := e.st.CreateUser(ctx, store.Actor{OrgID: org.ID, Label: "test"}, outsider); err != nil {
		t.Fatal(err)
	}
	issued, err := e.sessions.Start(ctx, outsider)
	if err != nil {
		t.Fatal(err)
	}
	tok := issued.Token
	req, _ := http.NewRequest("GET", e.url+"/submissions/"+graded+"/events", nil)
	req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: tok})
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "event:") {
		t.Errorf("another organisation's admin: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", e.url+"/submissions/"+graded+"/events", nil)
	resp, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode == http.StatusOK || strings.Contains(body, "event:") {
		t.Errorf("no session: %d", resp.StatusCode)
	}
}

// TestEditAssessmentSettings: a recruiter changes an assessment's settings from its
// page; bad values are refused field by field and change nothing; reviewers cannot;
// an assessment outside the organisation answers 404; the change is audited.
func TestEditAssessmentSettings(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: helloSuite.Version, Title: "Backend round",
		HoursAllowed: 72, MaxSubmissions: 3, CandidateView: store.ViewVisibleChecks}
	if err := e.st.CreateAssessment(ctx, e.actor(store.RoleRecruiter), &as); err != nil {
		t.Fatal(err)
	}
	rec := staffClient(e, store.RoleRecruiter)
	resp, err := rec.Get(e.url + "/assessments/" + as.ID)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); !strings.Contains(body, `href="/assessments/`+as.ID+`/edit"`) {
		t.Fatal("the assessment page has no edit link")
	}
	form := e.url + "/assessments/" + as.ID + "/edit"
	resp, err = rec.Get(form)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="Backend round"`) || !strings.Contains(body, `value="72"`) {
		t.Fatalf("the edit form does not show the settings: %d\n%s", resp.StatusCode, body)
	}
	token := csrfTokenOf(t, rec, form)
	values := func(title, hours, attempts, view, mode string) url.Values {
		return url.Values{"csrf_token": {token}, "title": {title}, "hours": {hours}, "attempts": {attempts},
			"candidate_view": {view}, "grading_mode": {mode}, "instructions": {"Use **Go**."}, "takehome": {"planets-crud"}}
	}
	resp, err = rec.PostForm(e.url+"/assessments/"+as.ID, values("", "0", "99", "everything", "lenient"))
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	for _, want := range []string{"The title must be 1 to 200 characters.", "Hours must be from 1 to 720.", "Attempts must be from 1 to 20.",
		"The candidate view must be nothing, total or visible_checks.", "The grading mode must be adaptive or strict."} {
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
			t.Errorf("bad values: %d, no %q", resp.StatusCode, want)
		}
	}
	if got, _ := e.st.Assessment(ctx, e.org, as.ID); got.Title != "Backend round" || got.HoursAllowed != 72 {
		t.Fatalf("refused values changed the assessment: %+v", got)
	}

	resp, err = rec.PostForm(e.url+"/assessments/"+as.ID, values("Backend round 2", "48", "1", store.ViewTotal, "strict"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/assessments/"+as.ID {
		t.Fatalf("save: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	got, err := e.st.Assessment(ctx, e.org, as.ID)
	if err != nil || got.Title != "Backend round 2" || got.HoursAllowed != 48 || got.MaxSubmissions != 1 ||
		got.CandidateView != store.ViewTotal || got.GradingMode != "strict" || got.Instructions != "Use **Go**." || got.Takehome != helloSuite.Slug {
		t.Fatalf("saved %+v %v (the take-home must not change)", got, err)
	}
	var audited int64
	e.st.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'assessment.updated' AND target_id = $1`, as.ID).Scan(&audited)
	if audited != 1 {
		t.Errorf("%d audit entries for the change", audited)
	}

	rev := staffClient(e, store.RoleReviewer)
	for _, req := range []func() (*http.Response, error){
		func() (*http.Response, error) { return rev.Get(form) },
		func() (*http.Response, error) {
			return rev.PostForm(e.url+"/assessments/"+as.ID, values("Mine now", "1", "1", store.ViewNothing, "adaptive"))
		},
	} {
		resp, err := req()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("a reviewer: %d", resp.StatusCode)
		}
	}
	resp, err = rec.Get(e.url + "/assessments/00000000-0000-0000-0000-000000000000/edit")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown assessment: %d", resp.StatusCode)
	}
}

// TestEarlierRunsOnTheScorecardPage: after a regrade the page lists both gradings,
// shows the current one, and shows an earlier one on request, saying so.
func TestEarlierRunsOnTheScorecardPage(t *testing.T) {
	e := newEnv(t, "")
	id, _ := gradedSubmission(t, e, "Ada")
	c := staffClient(e, store.RoleReviewer)
	page := func(query string) (int, string) {
		resp, err := c.Get(e.url + "/submissions/" + id + query)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readBody(t, resp)
	}
	if _, body := page(""); strings.Contains(body, "Gradings") {
		t.Error("a submission graded once lists its gradings")
	}
	if _, err := e.st.RequestRegrade(context.Background(), e.actor(store.RoleReviewer), id); err != nil {
		t.Fatal(err)
	}
	storeScorecard(t, e, id, hostileScorecard(85))

	status, body := page("")
	if status != http.StatusOK || !strings.Contains(body, "<strong>Run 2</strong> (shown)") ||
		!strings.Contains(body, `href="/submissions/`+id+`?run=1"`) || !strings.Contains(body, `<span class="total">85 / 100</span>`) {
		t.Fatalf("current: %d\n%s", status, body)
	}
	status, body = page("?run=1")
	if status != http.StatusOK || !strings.Contains(body, "You are reading run 1") || !strings.Contains(body, `<span class="total">60 / 100</span>`) {
		t.Fatalf("run 1: %d\n%s", status, body)
	}
	if status, _ := page("?run=9"); status != http.StatusNotFound {
		t.Errorf("a run never made: %d", status)
	}
	if status, _ := page("?run=first"); status != http.StatusBadRequest {
		t.Errorf("a run that is not a number: %d", status)
	}
}
