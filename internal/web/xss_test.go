package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

const (
	hostileName = `<script>alert(1)</script>`
	hostileTail = `<img src=x onerror=alert(2)><script>alert(3)</script>`
)

// gradedSubmission stores a submission of a candidate called name, graded
// with a scorecard whose build output and failing check's evidence carry
// markup, as the pipeline would store it.
func gradedSubmission(t testing.TB, e *env, name string) (subID, token string) {
	t.Helper()
	return gradedWithCode(t, e, name, hostileScorecard(60), nil)
}

// gradedWithCode is gradedSubmission with the scorecard card and the code
// snapshot code (nil: none).
func gradedWithCode(t testing.TB, e *env, name string, card *grading.Scorecard, code *snapshot.Snapshot) (subID, token string) {
	t.Helper()
	ctx := context.Background()
	as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: helloSuite.Version, Title: "Hostile <b>title</b>",
		HoursAllowed: 24, MaxSubmissions: 3, CandidateView: store.ViewVisibleChecks}
	if err := e.st.CreateAssessment(ctx, e.actor(store.RoleRecruiter), &as); err != nil {
		t.Fatal(err)
	}
	token, err := e.st.CreateInvitation(ctx, e.actor(store.RoleRecruiter), &store.Invitation{AssessmentID: as.ID,
		CandidateName: name, CandidateEmail: "mallory@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.st.Submit(ctx, token, "https://github.com/mallory/<x>", "")
	if err != nil {
		t.Fatal(err)
	}
	storeRun(t, e, sub.ID, card, code)
	return sub.ID, token
}

// storeScorecard finishes a submission with card through the pipeline's
// store calls (claim, then finish).
func storeScorecard(t testing.TB, e *env, subID string, card *grading.Scorecard) {
	t.Helper()
	storeRun(t, e, subID, card, nil)
}

// storeRun finishes a submission with card and the code snapshot code (nil: none).
func storeRun(t testing.TB, e *env, subID string, card *grading.Scorecard, code *snapshot.Snapshot) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.st.ClaimSubmission(ctx, subID, "test", time.Minute); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(card)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.FinishGrading(ctx, subID, "test", store.GradeResult{Status: store.StatusGraded, Score: card.Score,
		MaxScore: card.MaxScore, CommitSHA: "abc123", Takehome: card.Takehome, SuiteVersion: card.SuiteVersion, Scorecard: raw,
		Code: code}); err != nil {
		t.Fatal(err)
	}
}

func hostileScorecard(score int) *grading.Scorecard {
	return &grading.Scorecard{
		Takehome: helloSuite.Slug, SuiteVersion: "1", Status: grading.StatusGraded, Score: score, MaxScore: 100,
		Categories: []grading.CategoryScore{{Name: grading.Endpoints, Score: score, MaxScore: 60}, {Name: grading.Correctness, Score: 0, MaxScore: 40}},
		Phases:     []grading.Phase{{Name: "build", Status: grading.PhaseOK, OutputTail: hostileTail}},
		Checks: []grading.CheckResult{
			{ID: "hello.answers", Title: "GET / answers 200", Category: grading.Endpoints, Status: grading.CheckPassed,
				Score: score, MaxScore: 60, Visibility: grading.Visible, Evidence: map[string]any{}},
			{ID: "hello.about_page", Title: "GET /about answers 200", Category: grading.Correctness, Status: grading.CheckFailed,
				MaxScore: 40, Message: "GET /about answered " + hostileTail, Visibility: grading.Visible,
				Evidence: map[string]any{"output_tail": hostileTail + "\nmore", "exchanges": []grading.Exchange{
					{Method: "GET", Path: "/about", Status: 404, ContentType: "text/html", ResponseBody: hostileTail}}}},
		},
		Metrics:    map[string]float64{"list_endpoint_sql_statements": 2},
		SchemaDump: "CREATE TABLE \"<script>alert(4)</script>\" (id int);",
		Mode:       grading.ModeAdaptive,
		// The line quotes what the repository said (a start command, a login).
		Adaptations: []grading.Adaptation{{Check: grading.SetupProcfile.ID, Message: "no Procfile: started with " + hostileTail}},
	}
}

// TestCandidateControlledStringsRenderInert: a candidate named like a
// script tag and markup in output tails and evidence show as text on every
// page, and no script runs.
func TestCandidateControlledStringsRenderInert(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	e := newEnv(t, "")
	subID, token := gradedSubmission(t, e, hostileName)
	b := newBrowser(t)

	rev := b.tab()
	b.signIn(rev, e.url, "reviewer@acme.test")
	b.do(rev, "table", chromedp.Navigate(e.url+"/submissions"), chromedp.WaitVisible(chromedp.CSS("table.subs")))
	if got := b.text(rev, "table.subs tbody td"); !strings.Contains(got, hostileName) {
		t.Errorf("table shows the name as %q", got)
	}
	b.do(rev, "scorecard", chromedp.Navigate(e.url+"/submissions/"+subID), chromedp.WaitVisible(chromedp.CSS("h1")))
	// Open every <details> so the tails and evidence are rendered.
	if _, err := chromedp.Run(rev, chromedp.Evaluate[any](`document.querySelectorAll("details").forEach(d => d.open = true)`)); err != nil {
		t.Fatal(err)
	}
	if got := b.text(rev, "h1"); got != hostileName {
		t.Errorf("heading %q, want the name as text", got)
	}
	if got := b.text(rev, "details.phase pre"); got != hostileTail {
		t.Errorf("output tail shows %q", got)
	}
	if got := b.text(rev, "li.check.failed .exchange pre"); got != hostileTail {
		t.Errorf("response body shows %q", got)
	}
	// A reviewer reads first how the repository was run and what that cost.
	if got := b.text(rev, "#adaptations li"); got != "no Procfile: started with "+hostileTail+" (setup.procfile)" {
		t.Errorf("adaptation shows %q", got)
	}
	if got := b.text(rev, "#grading-mode"); !strings.Contains(got, "Graded adaptive") {
		t.Errorf("mode shows %q", got)
	}
	for _, sel := range []string{"img", "main script"} {
		n, err := chromedp.Run(rev, chromedp.Evaluate[int](`document.querySelectorAll("`+sel+`").length`))
		if err != nil || n != 0 {
			t.Errorf("%d %q elements on the scorecard page (%v)", n, sel, err)
		}
	}
	b.screenshot(rev, "20-hostile-scorecard")
	b.do(rev, "phone", chromedp.Emulate(device.IPhone7), chromedp.Navigate(e.url+"/submissions"),
		chromedp.WaitVisible(chromedp.CSS("table.subs")))
	b.screenshot(rev, "22-phone-submissions")
	b.do(rev, "phone scorecard", chromedp.Navigate(e.url+"/submissions/"+subID), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	b.screenshot(rev, "23-phone-scorecard")

	cand := b.tab()
	b.do(cand, "candidate page", chromedp.Navigate(e.url+"/c/"+token), chromedp.WaitVisible(chromedp.ID("progress")))
	if got := b.text(cand, "main > p"); !strings.Contains(got, hostileName) {
		t.Errorf("candidate page greets %q", got)
	}
	b.screenshot(cand, "21-hostile-candidate")
	time.Sleep(300 * time.Millisecond) // a script that slipped through would have run by now
	if n := b.dialogs.Load(); n != 0 {
		t.Fatalf("%d JavaScript dialogs opened", n)
	}
}

// TestFormWithoutCSRFTokenIsRefused: a signed-in user's post without the
// form's token (or with one minted for another cookie) changes nothing.
func TestFormWithoutCSRFTokenIsRefused(t *testing.T) {
	e := newEnv(t, "")
	jar := &cookieJar{}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, _ := url.Parse(e.url)
	jar.SetCookies(u, []*http.Cookie{e.sessionCookie(store.RoleRecruiter)})

	// A page visit sets the CSRF cookie and gives its token.
	token := csrfTokenOf(t, client, e.url+"/assessments/new")
	form := url.Values{"takehome": {helloSuite.Slug}, "title": {"Forged"}, "hours": {"24"}, "attempts": {"1"},
		"candidate_view": {store.ViewTotal}, "grading_mode": {"adaptive"}}
	post := func(v url.Values) int {
		resp, err := client.PostForm(e.url+"/assessments", v)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(form); got != http.StatusForbidden {
		t.Errorf("post without a token: %d, want 403", got)
	}
	forged := url.Values{}
	for k, v := range form {
		forged[k] = v
	}
	forged.Set("csrf_token", strings.Repeat("A", 43))
	if got := post(forged); got != http.StatusForbidden {
		t.Errorf("post with a made-up token: %d, want 403", got)
	}
	rows, _, err := e.st.Assessments(context.Background(), e.org, store.AssessmentFilter{}, store.Page{})
	if err != nil || len(rows) != 0 {
		t.Fatalf("assessments after refused posts: %d (%v)", len(rows), err)
	}
	form.Set("csrf_token", token)
	if got := post(form); got != http.StatusSeeOther {
		t.Errorf("post with the page's token: %d, want 303", got)
	}
	// The sign-in form is covered too (login CSRF).
	if got := func() int {
		resp, err := http.PostForm(e.url+"/login", url.Values{"email": {"admin@acme.test"}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}(); got != http.StatusForbidden {
		t.Errorf("sign-in without a token: %d, want 403", got)
	}
}

// TestHostileCodeRendersInert: a file named like markup, holding markup and a
// script, shows as text in the tree, the file view, the diff and a comment;
// nothing of it becomes an element, and no script runs.
func TestHostileCodeRendersInert(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	e := newEnv(t, "")
	hostileFile := `<img src=x onerror=alert(5)>.html`
	body := "<script>alert(6)</script>\n<img src=x onerror=alert(7)>\n\"'></code></td></tr></table><script>alert(8)</script>\n"
	code := takeCode(t, fstest.MapFS{hostileFile: {Data: []byte(body)}, "README.md": {Data: []byte(hostileTail + "\n")}})
	subID, _ := gradedWithCode(t, e, hostileName, codeScorecard(), code)
	if _, err := e.st.AddCodeComment(context.Background(), e.actor(store.RoleReviewer), subID, 1, hostileFile, 2, hostileTail); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	rev := b.tab()
	b.signIn(rev, e.url, "reviewer@acme.test")
	q := url.Values{"path": {hostileFile}}
	b.do(rev, "hostile file", chromedp.Navigate(e.url+"/submissions/"+subID+"/code?"+q.Encode()), chromedp.WaitVisible(chromedp.ID("L3")))
	if got := b.text(rev, "h2#file"); got != hostileFile {
		t.Errorf("file heading %q", got)
	}
	if got := b.text(rev, "#L1 td.line"); got != "<script>alert(6)</script>" {
		t.Errorf("line 1 shows %q", got)
	}
	if got := b.text(rev, "tr.line-comment p"); got != hostileTail {
		t.Errorf("comment shows %q", got)
	}
	if got := b.text(rev, `li.file[data-path^="<img"]`); !strings.Contains(got, hostileFile) {
		t.Errorf("tree shows %q", got)
	}
	b.screenshot(rev, "24-hostile-code")
	for _, page := range []string{"/code/diff", "", "/code"} {
		b.do(rev, "page "+page, chromedp.Navigate(e.url+"/submissions/"+subID+page), chromedp.WaitVisible(chromedp.CSS("h1")))
		for _, sel := range []string{"main img", "main script"} {
			n, err := chromedp.Run(rev, chromedp.Evaluate[int](`document.querySelectorAll("`+sel+`").length`))
			if err != nil || n != 0 {
				t.Errorf("%s: %d %q elements (%v)", page, n, sel, err)
			}
		}
	}
	time.Sleep(300 * time.Millisecond)
	if n := b.dialogs.Load(); n != 0 {
		t.Fatalf("%d JavaScript dialogs opened", n)
	}
}
