package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/store"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// TestInterviewJourney is the interview half of an assessment in a real
// browser: a recruiter builds the kit from the bank, ordering it and
// setting its time; a reviewer runs the interview, whose first questions
// are written from the candidate's own scorecard and link to their checks,
// and scores it; an admin scores it too; the reviewer records the decision
// on the decision page, which reads on a phone and prints without
// navigation or forms.
func TestInterviewJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	e := newEnv(t, "")
	ctx := context.Background()
	asID := interviewOrg{e, e.actor(store.RoleRecruiter)}.assessment()
	token, err := e.st.CreateInvitation(ctx, e.actor(store.RoleRecruiter), &store.Invitation{AssessmentID: asID,
		CandidateName: "Grace Hopper", CandidateEmail: "grace@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.st.Submit(ctx, token, "https://github.com/grace/planets", "")
	if err != nil {
		t.Fatal(err)
	}
	storeScorecard(t, e, sub.ID, followUpScorecard())
	b := newBrowser(t)

	// Recruiter: the kit, from the bank, filtered by topic.
	rec := b.tab()
	b.signIn(rec, e.url, "recruiter@acme.test")
	b.do(rec, "open the kit", chromedp.Navigate(e.url+"/assessments/"+asID),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/kit"]`)), chromedp.Click(chromedp.CSS(`a[href$="/kit"]`)),
		chromedp.WaitVisible(chromedp.ID("add")))
	for _, q := range []struct{ topic, id string }{{"retries", "bank:retry-backoff"}, {"webhooks", "bank:webhook-scale"}} {
		item := `li[id="add-` + q.id + `"]`
		b.do(rec, "filter "+q.topic, chromedp.SetValue(chromedp.CSS(`#add select[name=topic]`), q.topic),
			chromedp.Click(chromedp.CSS(`#add form.filters button`)), chromedp.WaitVisible(chromedp.CSS(item)))
		if got := b.text(rec, "#add ul.questions"); strings.Contains(got, "Stateless") {
			t.Errorf("filter %s shows other topics: %q", q.topic, got)
		}
		b.do(rec, "add "+q.id, chromedp.Click(chromedp.CSS(item+" button")), chromedp.WaitVisible(chromedp.CSS("#kit table.kit")))
	}
	b.waitText(rec, "#kit h2", "2 questions · 20 minutes", 10*time.Second)
	b.screenshot(rec, "interview-01-kit")
	// The webhook question first, the retry question given 15 minutes.
	b.do(rec, "reorder and time", chromedp.SetValue(chromedp.CSS("#kit tbody tr:nth-child(1) input.pos"), "3"),
		chromedp.SetValue(chromedp.CSS("#kit tbody tr:nth-child(1) input.mins"), "15"),
		chromedp.Click(chromedp.CSS(`#kit form button[type=submit]`)))
	b.waitText(rec, "#kit-total", "25 minutes", 10*time.Second)
	if got := b.text(rec, "#kit tbody tr:nth-child(1)"); !strings.Contains(got, "10,000 events a minute") {
		t.Errorf("first question of the kit: %q", got)
	}

	// Reviewer: the interview, follow-ups from the scorecard first.
	rev := b.tab()
	b.signIn(rev, e.url, "reviewer@acme.test")
	b.do(rev, "open the interview", chromedp.Navigate(e.url+"/submissions/"+sub.ID),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/interview"]`)), chromedp.Click(chromedp.CSS(`.crumbs a[href$="/interview"]`)),
		chromedp.WaitVisible(chromedp.CSS("ol.interview")))
	if got := b.text(rev, "#ask-0 .prompt"); got != "The import gave up on the first 503 (1 request to the endpoint): how would you retry a flaky upstream?" {
		t.Errorf("first question %q", got)
	}
	if got := b.text(rev, "#ask-1 .prompt"); !strings.Contains(got, "kept populations above 2^31 exactly") {
		t.Errorf("second question (a passed check's deeper one) %q", got)
	}
	if got := b.text(rev, "#ask-2 .prompt"); !strings.Contains(got, "10,000 events a minute") {
		t.Errorf("third question (the kit's first) %q", got)
	}
	if got := b.text(rev, "#interview-total"); got != "35 minutes" {
		t.Errorf("interview time %q, want the follow-ups' 10 and the kit's 25", got)
	}
	b.screenshot(rev, "interview-02-interview")
	href, err := chromedp.Run(rev, chromedp.Evaluate[string](`document.querySelector("#ask-0 a").getAttribute("href")`))
	if err != nil || href != "/submissions/"+sub.ID+"#check-resilience.retry_503" {
		t.Fatalf("follow-up links to %q (%v)", href, err)
	}
	b.do(rev, "the follow-up's check", chromedp.Navigate(e.url+href),
		chromedp.WaitVisible(chromedp.CSS(`[id="check-resilience.retry_503"] details[open] .evidence`)))
	b.do(rev, "back to the interview", chromedp.Navigate(e.url+"/submissions/"+sub.ID+"/interview"), chromedp.WaitVisible(chromedp.CSS("ol.interview")))
	b.do(rev, "score", chromedp.Click(chromedp.CSS(`input[name=rating-0][value="2"]`)),
		chromedp.SendKeys(chromedp.ID("note-0"), "Would retry 5xx, but no backoff or limit."),
		chromedp.Click(chromedp.CSS(`input[name=rating-2][value="4"]`)),
		chromedp.Click(chromedp.CSS(`input[name=rating-3][value="3"]`)),
		chromedp.SendKeys(chromedp.ID("notes"), "Honest about the gap; strong on intake design."))
	b.screenshot(rev, "interview-02b-scored")
	b.do(rev, "save the scorecard", chromedp.Click(chromedp.CSS(`form[action$="/interview"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("takehome")))
	if got := b.text(rev, "#interviews"); !strings.Contains(got, "reviewer@acme.test mean 3.0 over 3 rated") ||
		!strings.Contains(got, "Would retry 5xx, but no backoff or limit.") {
		t.Errorf("decision page interviews: %q", got)
	}

	// Admin: a second interviewer on the same candidate.
	adm := b.tab()
	b.signIn(adm, e.url, "admin@acme.test")
	b.do(adm, "second interviewer", chromedp.Navigate(e.url+"/submissions/"+sub.ID+"/interview"),
		chromedp.WaitVisible(chromedp.CSS("ol.interview")),
		chromedp.Click(chromedp.CSS(`input[name=rating-0][value="1"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/interview"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("takehome")))

	// Reviewer: the decision, on the decision page.
	b.do(rev, "decide", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("decision")),
		chromedp.Click(chromedp.CSS(`input[name=decision][value=advance]`)),
		chromedp.SendKeys(chromedp.ID("decision-notes"), "Advance; coach on retries."),
		chromedp.Click(chromedp.CSS(`form[action$="/decision"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#decision .review")))
	if got := b.text(rev, "#decision .review"); !strings.Contains(got, "advance") || !strings.Contains(got, "Advance; coach on retries.") {
		t.Errorf("decision %q", got)
	}
	if got := b.text(rev, "#interviews"); !strings.Contains(got, "admin@acme.test mean 1.0 over 1 rated") || !strings.Contains(got, "reviewer@acme.test") {
		t.Errorf("both interviews: %q", got)
	}
	if got := b.text(rev, "#takehome-total"); got != "70 / 100" {
		t.Errorf("take-home total %q", got)
	}
	b.screenshot(rev, "interview-03-decision")

	// Printed: the content without navigation or the decision form.
	if _, err := chromedp.Call(rev, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(rev, chromedp.Evaluate[string](`["header.top", "form[action$='/decision']", "#interviews", "#decision .review"]
		.map(s => getComputedStyle(document.querySelector(s)).display).join(" ")`))
	if err != nil || shown != "none none block block" {
		t.Errorf("printed, header, form, interviews and decision display as %q (%v)", shown, err)
	}
	b.screenshot(rev, "interview-04-print")
	if _, err := chromedp.Call(rev, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}

	// On a phone: nothing wider than the screen.
	b.do(rev, "phone", chromedp.Emulate(device.IPhone7), chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("decision")))
	if fits, err := chromedp.Run(rev, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`)); err != nil || !fits {
		t.Errorf("the decision page is wider than a phone (%v)", err)
	}
	b.screenshot(rev, "interview-05-phone")
}
