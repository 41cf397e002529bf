package web_test

import (
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/store"
	"github.com/chromedp/chromedp"
)

// TestJourneyRubricScoredByTwoReviewers: a recruiter renames a criterion of
// the rubric (with markup in it); two reviewers score the submission; the
// recruiter reads both reviewers' scores, the mean beside the automatic
// total, and the mean again on the compare page.
func TestJourneyRubricScoredByTwoReviewers(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	e := newEnv(t, "")
	as := reviewAssessment(t, e, e.actor(store.RoleRecruiter), false)
	sub, _ := gradedIn(t, e, e.actor(store.RoleRecruiter), as, "Ada Lovelace", "ada", 60)
	addReviewer(t, e, "second@acme.test")
	b := newBrowser(t)

	rec := b.tab()
	b.signIn(rec, e.url, "recruiter@acme.test")
	b.do(rec, "edit the rubric", chromedp.Navigate(e.url+"/assessments/"+as),
		chromedp.Click(chromedp.CSS(`a[href$="/rubric"]`)), chromedp.WaitVisible(chromedp.CSS("table.rubric")),
		chromedp.SetValue(chromedp.CSS(`table.rubric tbody tr:first-child input[name=name]`), hostileName+" Structure"),
		chromedp.Click(chromedp.CSS(`form.rubric-edit button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("rubric-saved")))
	b.screenshot(rec, "30-rubric-editor")

	for i, who := range []string{"reviewer@acme.test", "second@acme.test"} {
		rev := b.tab()
		b.signIn(rev, e.url, who)
		level := []string{"2", "4"}[i]
		b.do(rev, who+" opens the scorecard", chromedp.Navigate(e.url+"/submissions/"+sub), chromedp.WaitVisible(chromedp.ID("rubric")))
		for n := range store.DefaultRubric {
			b.do(rev, "score", chromedp.Click(chromedp.CSS(`input[name=score`+string(rune('0'+n))+`][value="`+level+`"]`)))
		}
		b.do(rev, who+" saves", chromedp.Click(chromedp.CSS(`form.rubric-score button[type=submit]`)),
			chromedp.WaitVisible(chromedp.ID("my-scores")))
		if i == 1 {
			b.screenshot(rev, "31-rubric-scored")
		}
	}

	b.do(rec, "read the scores", chromedp.Navigate(e.url+"/submissions/"+sub), chromedp.WaitVisible(chromedp.CSS("table.rubric-scores")))
	head := b.text(rec, "table.rubric-scores thead")
	if !strings.Contains(head, "reviewer@acme.test") || !strings.Contains(head, "second@acme.test") {
		t.Errorf("scores table names %q, want both reviewers", head)
	}
	if got := b.text(rec, "table.rubric-scores tbody tr:first-child"); !strings.Contains(got, hostileName+" Structure") || !strings.Contains(got, "3.0") {
		t.Errorf("first criterion row %q: want the renamed criterion as text with mean 3.0", got)
	}
	if got := b.text(rec, "#rubric-mean"); !strings.Contains(got, "3.0 / 4") || !strings.Contains(got, "2 reviewers") {
		t.Errorf("beside the total: %q", got)
	}
	if got := b.text(rec, ".total"); !strings.Contains(got, "60 / 100") {
		t.Errorf("automatic total %q", got)
	}
	b.do(rec, "compare", chromedp.Navigate(e.url+"/assessments/"+as+"/compare"), chromedp.WaitVisible(chromedp.CSS("table.compare")))
	if got := b.text(rec, "table.compare thead"); !strings.Contains(got, "60/100") || !strings.Contains(got, "rubric 3.0/4") {
		t.Errorf("compare header %q: want the total and the rubric mean", got)
	}
	b.screenshot(rec, "32-compare-rubric")
	if n, _ := chromedp.Run(rec, chromedp.Evaluate[int](`document.querySelectorAll("main script, main img").length`)); n != 0 {
		t.Errorf("markup in the criterion's name became %d elements", n)
	}
	if b.dialogs.Load() != 0 {
		t.Errorf("%d dialogs opened", b.dialogs.Load())
	}
}

// TestJourneyBlindReview: on an assessment reviewed blind, a reviewer sees
// "Candidate 1" in the table and on the scorecard, no email and no
// repository owner, and cannot find the candidate by name; the recruiter
// sees the name; once the reviewer records the decision the name shows.
func TestJourneyBlindReview(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	e := newEnv(t, "")
	as := reviewAssessment(t, e, e.actor(store.RoleRecruiter), false)
	b := newBrowser(t)

	rec := b.tab()
	b.signIn(rec, e.url, "recruiter@acme.test")
	b.do(rec, "switch blind review on", chromedp.Navigate(e.url+"/assessments/"+as+"/edit"),
		chromedp.WaitVisible(chromedp.ID("blind_review")), chromedp.Click(chromedp.ID("blind_review")),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("review-mode")))
	if got := b.text(rec, "#review-mode"); !strings.Contains(got, "blind") {
		t.Fatalf("review mode %q", got)
	}
	sub, _ := gradedIn(t, e, e.actor(store.RoleRecruiter), as, "Grace Hopper", "ghopper", 70)

	rev := b.tab()
	b.signIn(rev, e.url, "reviewer@acme.test")
	b.do(rev, "table", chromedp.Navigate(e.url+"/submissions?assessment="+as), chromedp.WaitVisible(chromedp.CSS("table.subs")))
	if got := b.text(rev, "table.subs tbody"); !strings.Contains(got, "Candidate 1") || strings.Contains(got, "Grace") || strings.Contains(got, "ghopper") {
		t.Errorf("blind table row %q", got)
	}
	b.screenshot(rev, "33-blind-table")
	b.do(rev, "search by name", chromedp.Navigate(e.url+"/submissions?q=grace"), chromedp.WaitVisible(chromedp.CSS("main p.muted")))
	if got := b.text(rev, "main"); !strings.Contains(got, "0 candidates") {
		t.Errorf("a reviewer's search by name finds the blind candidate: %q", got)
	}
	b.do(rev, "scorecard", chromedp.Navigate(e.url+"/submissions/"+sub), chromedp.WaitVisible(chromedp.ID("blind-notice")))
	page := b.text(rev, "main")
	if got := b.text(rev, "h1"); got != "Candidate 1" {
		t.Errorf("heading %q, want Candidate 1", got)
	}
	for _, secret := range []string{"Grace", "ghopper"} {
		if strings.Contains(page, secret) {
			t.Errorf("the blind scorecard shows %q", secret)
		}
	}
	b.screenshot(rev, "34-blind-scorecard")
	b.do(rec, "recruiter's scorecard", chromedp.Navigate(e.url+"/submissions/"+sub), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := b.text(rec, "h1"); got != "Grace Hopper" {
		t.Errorf("the recruiter sees %q", got)
	}
	b.do(rev, "decide", chromedp.Click(chromedp.CSS(`input[name=decision][value=advance]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/reviews"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#reviews .review")))
	if got := b.text(rev, "h1"); got != "Grace Hopper" {
		t.Errorf("after the decision the reviewer sees %q", got)
	}
	if got := b.text(rev, "#reviews .review"); !strings.Contains(got, "by reviewer@acme.test") {
		t.Errorf("the decision shows %q, want its author", got)
	}
	b.screenshot(rev, "35-blind-decided")
}

// TestJourneyComparePickedCandidates: a reviewer picks two of three
// candidates in the submissions table and compares them side by side.
func TestJourneyComparePickedCandidates(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	e := newEnv(t, "")
	as := reviewAssessment(t, e, e.actor(store.RoleRecruiter), false)
	_, ada := gradedIn(t, e, e.actor(store.RoleRecruiter), as, "Ada Lovelace", "ada", 60)
	gradedIn(t, e, e.actor(store.RoleRecruiter), as, "Alan Turing", "alan", 90)
	_, grace := gradedIn(t, e, e.actor(store.RoleRecruiter), as, "Grace Hopper", "grace", 40)
	b := newBrowser(t)

	rev := b.tab()
	b.signIn(rev, e.url, "reviewer@acme.test")
	b.do(rev, "pick two", chromedp.Navigate(e.url+"/submissions?assessment="+as), chromedp.WaitVisible(chromedp.ID("pick-form")),
		chromedp.Click(chromedp.CSS(`input[name=pick][value="`+ada+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name=pick][value="`+grace+`"]`)))
	b.screenshot(rev, "36-pick")
	b.do(rev, "compare them", chromedp.Click(chromedp.ID("compare-picked")), chromedp.WaitVisible(chromedp.CSS("table.compare")))
	head := b.text(rev, "table.compare thead")
	if !strings.Contains(head, "Ada Lovelace") || !strings.Contains(head, "Grace Hopper") || strings.Contains(head, "Alan Turing") {
		t.Errorf("compared %q, want Ada and Grace only", head)
	}
	if n, _ := chromedp.Run(rev, chromedp.Evaluate[int](`document.querySelectorAll("table.compare thead th").length`)); n != 3 {
		t.Errorf("%d header cells, want the check column and two candidates", n)
	}
	b.screenshot(rev, "37-compare-picked")
}
