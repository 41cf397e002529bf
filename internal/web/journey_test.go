package web_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/gradingtest"
	"github.com/assayhq/assay/internal/mail"
	"github.com/assayhq/assay/internal/outbox"
	"github.com/assayhq/assay/internal/pipeline"
	"github.com/assayhq/assay/internal/simjob"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/assayhq/assay/internal/worker"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
	"github.com/hibiken/asynq"
)

// runWorker runs what `assay worker` runs against the test's database and
// Redis index: the outbox relay, the grading pipeline (real sandbox, real
// grading PostgreSQL) and the mail task (no SMTP: mail is held).
func runWorker(t *testing.T, e *env) {
	t.Helper()
	genv, err := gradingtest.Shared()
	if err != nil {
		t.Fatalf("grading environment: %v", err)
	}
	_, redisDB := testenv.NewRedisDB(t)
	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: redisDB, DialTimeout: time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	client := asynq.NewClient(opt)
	relay := &outbox.Relay{Store: e.st, Client: client, Interval: 100 * time.Millisecond}
	w := worker.New(opt, 1)
	w.HandleGrading(&pipeline.Pipeline{Store: e.st, Suites: map[string]*grading.Suite{helloSuite.Slug: helloSuite},
		Sandbox: genv.Sandbox, DB: genv.DB, Fetch: gitfetch.Options{AllowLoopbackHTTP: true}, Owner: "journey-worker"})
	w.Handle(tasks.SendMail, (&mail.Deliverer{Store: e.st}).HandleTask)
	w.HandleSimilarity(&simjob.Job{Store: e.st, Catalog: helloCatalog})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); relay.Run(ctx) }()
	go func() { defer wg.Done(); _ = w.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait(); client.Close() })
}

// TestJourney is the whole path through the dashboard in a real browser:
// a recruiter creates an assessment and invites a candidate; the candidate
// opens the link and submits the take-home's reference solution, which
// the real pipeline grades while the page shows its progress; a reviewer
// opens the scorecard, expands the failed check and records a decision.
func TestJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser and grades in the sandbox: not in -short")
	}
	repo, repoHost := serveRepo(t, "hello", helloSolution)
	e := newEnv(t, repoHost)
	runWorker(t, e)
	b := newBrowser(t)

	// Recruiter: sign in, create an assessment, invite a candidate.
	rec := b.tab()
	b.signIn(rec, e.url, "recruiter@acme.test")
	b.screenshot(rec, "01-recruiter-assessments")
	b.do(rec, "create assessment",
		chromedp.Navigate(e.url+"/assessments/new"),
		chromedp.WaitVisible(chromedp.ID("title")),
		chromedp.SendKeys(chromedp.ID("title"), "Backend engineer, autumn"),
		chromedp.SetValue(chromedp.ID("hours"), "48"),
		chromedp.SetValue(chromedp.ID("attempts"), "2"),
		chromedp.Click(chromedp.CSS(`input[name=candidate_view][value=visible_checks]`)),
	)
	b.screenshot(rec, "02-new-assessment")
	b.do(rec, "submit assessment",
		chromedp.Click(chromedp.CSS(`form[action="/assessments"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), "Ada Lovelace"),
		chromedp.SendKeys(chromedp.ID("email"), "ada@example.com"),
	)
	b.screenshot(rec, "03-assessment")
	b.do(rec, "invite", chromedp.Click(chromedp.CSS(`form[action$="/invitations"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".link-field")))
	link, err := chromedp.Run(rec, chromedp.Value(chromedp.CSS(".link-field")))
	if err != nil || !strings.HasPrefix(link, e.url+"/c/") {
		t.Fatalf("invite link %q: %v", link, err)
	}
	b.screenshot(rec, "04-invited")
	// Many at once: a CSV with one bad row, previewed before anything is made.
	csvFile := filepath.Join(t.TempDir(), "candidates.csv")
	if err := os.WriteFile(csvFile, []byte("name,email\nGrace Hopper,grace@example.com\nNo Email,nobody\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do(rec, "upload CSV", chromedp.Click(chromedp.CSS(".links + p a")), chromedp.WaitVisible(chromedp.ID("file")),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{csvFile}),
		chromedp.Click(chromedp.CSS(`form[action$="/csv"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/confirm"]`)))
	if got := b.text(rec, "main"); !strings.Contains(got, "1 of 2 rows can be invited") || !strings.Contains(got, "the email must be an address") {
		t.Errorf("CSV preview: %q", got)
	}
	b.screenshot(rec, "04b-csv-preview")
	b.do(rec, "confirm CSV", chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".link-field")))
	if got := b.text(rec, "ul.links"); !strings.Contains(got, "Grace Hopper") || strings.Contains(got, "No Email") {
		t.Errorf("CSV invitations: %q", got)
	}

	// Candidate: open the link, get an inline error, then submit for real.
	cand := b.tab()
	b.do(cand, "open invitation", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("repo_url")))
	if got := b.text(cand, ".brief h1"); got != "Hello" {
		t.Errorf("brief heading %q", got)
	}
	b.screenshot(cand, "05-candidate")
	b.do(cand, "submit a bad URL",
		chromedp.SendKeys(chromedp.ID("repo_url"), "git@github.com:ada/hello.git"),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("repo-err")),
	)
	b.screenshot(cand, "06-candidate-invalid")
	b.do(cand, "submit the solution",
		chromedp.Clear(chromedp.ID("repo_url")),
		chromedp.SendKeys(chromedp.ID("repo_url"), repo),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("progress")),
	)
	b.screenshot(cand, "07-candidate-progress")
	// The progress block is fetched again on each status change the page hears
	// from the submission's events, until the grading ends.
	b.waitText(cand, "#progress h2", "graded", 4*time.Minute)
	if u, err := url.Parse(link); err != nil || !e.requested(u.Path+"/submissions/", "/events") {
		t.Errorf("the candidate's page did not follow the submission's events (%v)", err)
	}
	b.screenshot(cand, "08-candidate-graded")
	if got := b.text(cand, "#progress .total"); !strings.Contains(got, "60") {
		t.Errorf("candidate sees total %q, want 60/100", got)
	}
	if n, _ := chromedp.Run(cand, chromedp.Evaluate[int](`document.querySelectorAll("#progress .evidence").length`)); n != 0 {
		t.Errorf("the candidate's page shows evidence")
	}
	b.do(cand, "phone view", chromedp.Emulate(device.IPhone7), chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("progress")))
	b.screenshot(cand, "09-candidate-phone")

	// Reviewer: the table, the scorecard, the failed check, a decision.
	rev := b.tab()
	b.signIn(rev, e.url, "reviewer@acme.test")
	b.do(rev, "filter graded", chromedp.Navigate(e.url+"/submissions?status=graded&sort=score"),
		chromedp.WaitVisible(chromedp.CSS("table.subs")))
	b.screenshot(rev, "10-submissions")
	b.do(rev, "open scorecard", chromedp.Click(chromedp.CSS(`table.subs a[href^="/submissions/"]`)),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	b.screenshot(rev, "11-scorecard")
	failed := `li.check.failed details`
	b.do(rev, "expand the failed check", chromedp.Click(chromedp.CSS(failed+" summary")),
		chromedp.WaitVisible(chromedp.CSS(failed+" .exchange")))
	if got := b.text(rev, failed+" .exchange"); !strings.Contains(got, "GET /about") || !strings.Contains(got, "404") {
		t.Errorf("failed check's evidence: %q", got)
	}
	b.do(rev, "expand the build phase", chromedp.Click(chromedp.CSS("details.phase:nth-of-type(2) summary")))
	b.screenshot(rev, "12-scorecard-failed-check")
	b.do(rev, "decide",
		chromedp.Click(chromedp.CSS(`input[name=decision][value=advance]`)),
		chromedp.SendKeys(chromedp.ID("notes"), "Solid; ask about the missing page."),
		chromedp.Click(chromedp.CSS(`form[action$="/reviews"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#reviews .review")),
	)
	if got := b.text(rev, "#reviews .review"); !strings.Contains(got, "advance") || !strings.Contains(got, "missing page") {
		t.Errorf("recorded decision shows %q", got)
	}
	b.screenshot(rev, "13-decision")

	// Reviewer: the code as it was graded, a file, a comment on one of its lines.
	if got := b.text(rev, "#code-facts"); !strings.Contains(got, "2 files") || !strings.Contains(got, "no test files") {
		t.Errorf("code facts: %q", got)
	}
	// The whole history (one commit) was fetched for the summary.
	if got := b.text(rev, "#history"); !strings.Contains(got, "1 commit by 1 author") || !strings.Contains(got, "holds 100 % of the lines") {
		t.Errorf("history: %q", got)
	}
	b.do(rev, "browse the code", chromedp.Click(chromedp.CSS(`#code-facts a[href*="/code?"]`)),
		chromedp.WaitVisible(chromedp.CSS("nav.code-tree")))
	b.do(rev, "open the Procfile", chromedp.Click(chromedp.CSS(`li.file[data-path="Procfile"] a`)),
		chromedp.WaitVisible(chromedp.ID("L2")))
	if got := b.text(rev, "#L2 td.line"); !strings.Contains(got, "python3 -m http.server $PORT") {
		t.Errorf("Procfile line 2: %q", got)
	}
	b.do(rev, "pick line 2", chromedp.Click(chromedp.CSS("#L2 td.ln a")), chromedp.WaitVisible(chromedp.ID("comment-body")))
	if line, err := chromedp.Run(rev, chromedp.Value(chromedp.ID("comment-line"))); err != nil || line != "2" {
		t.Errorf("the comment form is on line %q (%v)", line, err)
	}
	b.do(rev, "comment on line 2",
		chromedp.SendKeys(chromedp.ID("comment-body"), "Why Python's http.server for a service?"),
		chromedp.Click(chromedp.CSS(`#comment-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("tr.line-comment")))
	if got := b.text(rev, "tr.line-comment"); !strings.Contains(got, "http.server for a service") || !strings.Contains(got, "reviewer@acme.test") {
		t.Errorf("the comment shows as %q", got)
	}
	b.screenshot(rev, "13b-code-comment")
	b.do(rev, "back to the scorecard", chromedp.Click(chromedp.CSS(".crumbs a")), chromedp.WaitVisible(chromedp.ID("code-comments")))
	if got := b.text(rev, "#code-comments"); !strings.Contains(got, "Procfile:2") || !strings.Contains(got, "http.server for a service") {
		t.Errorf("the scorecard's comments: %q", got)
	}
	b.do(cand, "candidate reloads", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("progress")))
	if got := b.text(cand, "body"); strings.Contains(got, "http.server for a service") {
		t.Error("the candidate sees the reviewer's comment")
	}
	b.do(rev, "compare", chromedp.Click(chromedp.CSS(`.crumbs a[href$="/compare"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.compare")))
	b.screenshot(rev, "14-compare")

	// Admin: the mail that would have been sent (no SMTP here).
	adm := b.tab()
	b.signIn(adm, e.url, "admin@acme.test")
	b.do(adm, "mail page", chromedp.Navigate(e.url+"/admin/mail"), chromedp.WaitVisible(chromedp.CSS("ul.mail")))
	if got := b.text(adm, "ul.mail"); !strings.Contains(got, "ada@example.com") || !strings.Contains(got, "invitation") || !strings.Contains(got, "receipt") {
		t.Errorf("mail page: %q", got)
	}
	b.screenshot(adm, "15-admin-mail")
	b.do(adm, "users page", chromedp.Navigate(e.url+"/admin/users"), chromedp.WaitVisible(chromedp.ID("u-email")))
	b.screenshot(adm, "16-admin-users")
	b.do(adm, "webhooks page", chromedp.Navigate(e.url+"/admin/webhooks"), chromedp.WaitVisible(chromedp.ID("w-url")),
		chromedp.SendKeys(chromedp.ID("w-url"), "https://ats.example.com/hooks/assay"),
		chromedp.Click(chromedp.CSS(`input[name=event_types][value="submission.graded"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/admin/webhooks"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("secret")))
	b.screenshot(adm, "17-admin-webhooks")
	if b.dialogs.Load() != 0 {
		t.Errorf("%d dialogs opened", b.dialogs.Load())
	}
}
