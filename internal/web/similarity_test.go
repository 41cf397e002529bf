package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/assayhq/assay/internal/similarity"
	"github.com/assayhq/assay/internal/simjob"
	"github.com/assayhq/assay/internal/store"
	"github.com/chromedp/chromedp"
)

// goCode is eight functions of Go named after name, after a table of
// padding items written as item (a format of one number): two calls are a
// renamed copy of each other, their tables alike only when item is.
func goCode(name string, padding int, item string) fstest.MapFS {
	var b strings.Builder
	b.WriteString("package main\n\nimport \"fmt\"\n\nvar table = []any{\n")
	for i := range padding {
		fmt.Fprintf(&b, "\t"+item+",\n", i)
	}
	b.WriteString("}\n\n")
	for i := range 8 {
		fmt.Fprintf(&b, "func %s%d(items []string, limit int) (int, error) {\n\ttotal := 0\n\tfor i, item := range items {\n"+
			"\t\tif i >= limit {\n\t\t\treturn total, fmt.Errorf(\"too many: %%d\", i)\n\t\t}\n", name, i)
		for j := range i + 1 {
			fmt.Fprintf(&b, "\t\ttotal += len(item) * %d\n", j)
		}
		b.WriteString("\t}\n\treturn total, nil\n}\n\n")
	}
	return fstest.MapFS{"main.go": {Data: []byte(b.String())}, "README.md": {Data: []byte("# Mine\n")}}
}

// copiedPair grades Grace Hopper and, with a renamed copy of her code, Mal
// Lory in an assessment reviewed blind (the copied code comes after padding
// lines of Mal's own and half as many of Grace's), and runs their
// similarity tasks.
func copiedPair(t *testing.T, e *env, padding int) (grace, mal string) {
	t.Helper()
	a := store.Actor{OrgID: e.org, Label: "test"}
	as := reviewAssessment(t, e, a, true)
	grace, _ = gradedIn(t, e, a, as, "Grace Hopper", "ghopper", 70)
	mal, _ = gradedIn(t, e, a, as, "Mal Lory", "mlory", 60)
	job := &simjob.Job{Store: e.st, Catalog: helloCatalog}
	for id, code := range map[string]fstest.MapFS{grace: goCode("sum", padding/2, `"%d"`), mal: goCode("add", padding, "%d")} {
		if _, err := e.st.RequestRegrade(context.Background(), e.actor(store.RoleReviewer), id); err != nil {
			t.Fatal(err)
		}
		storeRun(t, e, id, hostileScorecard(70), takeCode(t, code))
		if err := job.CompareSubmission(context.Background(), id, 2); err != nil {
			t.Fatal(err)
		}
	}
	return grace, mal
}

func getPage(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, readBody(t, resp)
}

// TestSimilarityFlagPairPageAndMark: a copy is flagged on the submissions
// table and both scorecards; the pair page shows both files with the shared
// lines highlighted and the fragments linked to them; under blind review a
// reviewer reads neither candidate's name there; a reviewer's mark lifts the
// flag (a recruiter may not mark).
func TestSimilarityFlagPairPageAndMark(t *testing.T) {
	e := newEnv(t, "")
	grace, mal := copiedPair(t, e, 0)
	rev, rec := staffClient(e, store.RoleReviewer), staffClient(e, store.RoleRecruiter)

	_, table := getPage(t, rec, e.url+"/submissions")
	for _, id := range []string{grace, mal} {
		if !strings.Contains(table, `<a class="tag flag-similar" href="/submissions/`+id+`#similarity"`) {
			t.Errorf("the table does not flag %s", id)
		}
	}
	status, card := getPage(t, rec, e.url+"/submissions/"+mal)
	pair := "/submissions/" + mal + "/similarity/" + grace
	if status != http.StatusOK || !strings.Contains(card, `id="similarity-flag"`) || !strings.Contains(card, `href="`+pair+`">Grace Hopper</a>`) ||
		!strings.Contains(card, "Not a verdict: reviewers decide") {
		t.Fatalf("recruiter's scorecard: %d, no flag naming Grace Hopper\n%s", status, card)
	}

	status, card = getPage(t, rev, e.url+"/submissions/"+mal)
	if status != http.StatusOK || !strings.Contains(card, `id="similarity-flag"`) || strings.Contains(card, "Grace Hopper") ||
		strings.Contains(card, "ghopper") || !strings.Contains(card, `">Candidate 1</a>`) {
		t.Errorf("reviewer's scorecard under blind review: want the flag naming Candidate 1 only")
	}
	status, page := getPage(t, rev, e.url+pair)
	if status != http.StatusOK {
		t.Fatalf("pair page: %d\n%s", status, page)
	}
	for _, secret := range []string{"Grace Hopper", "ghopper", "Mal Lory", "mlory"} {
		if strings.Contains(page, secret) {
			t.Errorf("the reviewer's pair page names %q under blind review", secret)
		}
	}
	for _, want := range []string{`<tr class="match"><td class="ln"><a id="a-f1"></a>`, `<a id="b-f1"></a>`,
		`?a=main.go&amp;b=main.go#a-f1"><code>main.go</code>`, `?a=main.go&amp;b=main.go#b-f1" class="other-side"><code>main.go</code>`, `<span class="kd">func</span>`, "This submission: <code>main.go</code>",
		"Candidate 1: <code>main.go</code>", "Mark reviewed: not a concern"} {
		if !strings.Contains(page, want) {
			t.Errorf("pair page lacks %q", want)
		}
	}
	if strings.Count(page, `<tr class="match">`) < 40 {
		t.Errorf("pair page highlights %d lines, want most of both copies", strings.Count(page, `<tr class="match">`))
	}

	form := url.Values{"csrf_token": {csrfTokenOf(t, rec, e.url+pair)}}
	if resp, _ := rec.PostForm(e.url+pair+"/mark", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a recruiter marks: %d", resp.StatusCode)
	}
	form.Set("csrf_token", csrfTokenOf(t, rev, e.url+pair))
	resp, err := rev.PostForm(e.url+pair+"/mark", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != pair {
		t.Fatalf("mark: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page = getPage(t, rev, e.url+pair); !strings.Contains(page, "reviewed: not a concern · reviewer@acme.test") {
		t.Error("the pair page does not show the mark")
	}
	if _, card = getPage(t, rec, e.url+"/submissions/"+grace); strings.Contains(card, `id="similarity-flag"`) || !strings.Contains(card, "not a concern · reviewer@acme.test") {
		t.Error("the other side's scorecard still flags the marked pair, or does not say who marked it")
	}
	if _, table = getPage(t, rec, e.url+"/submissions"); strings.Contains(table, "flag-similar") {
		t.Error("the table still flags the marked pair")
	}
}

// TestSimilarityRoutesEveryRoleOtherOrganisation: the pair page and the mark
// for every role, on the organisation's own pair and on another's (404); the
// known solutions page for admins only, refusing what the intake policy
// refuses; the assessment's threshold set from its form.
func TestSimilarityRoutesEveryRoleOtherOrganisation(t *testing.T) {
	e := newEnv(t, "")
	grace, mal := copiedPair(t, e, 0)
	own := "/submissions/" + mal + "/similarity/" + grace
	other := "/submissions/" + grace + "/similarity/00000000-0000-0000-0000-000000000000"
	for _, role := range []string{store.RoleAdmin, store.RoleRecruiter, store.RoleReviewer} {
		c := staffClient(e, role)
		if status, _ := getPage(t, c, e.url+own); status != http.StatusOK {
			t.Errorf("pair page as %s: %d", role, status)
		}
		if status, _ := getPage(t, c, e.url+other); status != http.StatusNotFound {
			t.Errorf("a pair that is not one as %s: %d", role, status)
		}
		status, _ := getPage(t, c, e.url+"/admin/known-solutions")
		if want := map[bool]int{true: 200, false: 403}[role == store.RoleAdmin]; status != want {
			t.Errorf("known solutions page as %s: %d, want %d", role, status, want)
		}
	}

	// Another organisation's pair, and its mark, do not exist for Acme.
	elsewhere, err := e.st.EnsureOrganization(context.Background(), "Elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	b := store.Actor{OrgID: elsewhere.ID, Label: "test"}
	bas := reviewAssessment(t, e, b, false)
	x, _ := gradedIn(t, e, b, bas, "Xena", "xena", 50)
	y, _ := gradedIn(t, e, b, bas, "Yuri", "yuri", 50)
	job := &simjob.Job{Store: e.st, Catalog: helloCatalog}
	for id, code := range map[string]fstest.MapFS{x: goCode("sum", 0, ""), y: goCode("add", 0, "")} {
		if _, err := e.st.RequestRegrade(context.Background(), b, id); err != nil {
			t.Fatal(err)
		}
		storeRun(t, e, id, hostileScorecard(70), takeCode(t, code))
		if err := job.CompareSubmission(context.Background(), id, 2); err != nil {
			t.Fatal(err)
		}
	}
	rev := staffClient(e, store.RoleReviewer)
	theirs := "/submissions/" + y + "/similarity/" + x
	if status, body := getPage(t, rev, e.url+theirs); status != http.StatusNotFound || strings.Contains(body, "Xena") {
		t.Errorf("another organisation's pair: %d", status)
	}
	resp, err := rev.PostForm(e.url+theirs+"/mark", url.Values{"csrf_token": {csrfTokenOf(t, rev, e.url+own)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("marking another organisation's pair: %d", resp.StatusCode)
	}
	for _, id := range []string{grace, mal} {
		ms, _, err := e.st.SubmissionSimilarity(context.Background(), e.org, id)
		if err != nil || len(ms) != 1 {
			t.Errorf("Acme's %s matches %+v (%v): want only its Acme pair", id, ms, err)
		}
	}

	admin := staffClient(e, store.RoleAdmin)
	page := e.url + "/admin/known-solutions"
	for _, tc := range []struct{ url, want string }{
		{"http://10.0.0.1/a/b", "https"},
		{"https://evil.example/a/b", "github.com"},
	} {
		resp, err := admin.PostForm(page, url.Values{"csrf_token": {csrfTokenOf(t, admin, page)}, "takehome": {helloSuite.Slug}, "repo_url": {tc.url}})
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="known-error"`) {
			t.Errorf("%s: %d", tc.url, resp.StatusCode)
		}
	}
	resp, err = admin.PostForm(page, url.Values{"csrf_token": {csrfTokenOf(t, admin, page)}, "takehome": {helloSuite.Slug},
		"repo_url": {"https://github.com/someone/hello-answer"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, body := getPage(t, admin, page); resp.StatusCode != http.StatusSeeOther || !strings.Contains(body, "https://github.com/someone/hello-answer") ||
		!strings.Contains(body, ">pending<") {
		t.Errorf("registering a known solution: %d, not listed as pending", resp.StatusCode)
	}

	known, err := e.st.KnownSolutions(context.Background(), e.org, "")
	if err != nil || len(known) != 1 {
		t.Fatalf("known solutions %+v %v", known, err)
	}
	for role, want := range map[string]int{store.RoleRecruiter: http.StatusForbidden, store.RoleAdmin: http.StatusSeeOther} {
		c := staffClient(e, role)
		resp, err := c.PostForm(e.url+"/admin/known-solutions/"+known[0].ID+"/refetch", url.Values{"csrf_token": {csrfTokenOf(t, c, e.url+"/submissions")}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("fetch again as %s: %d, want %d", role, resp.StatusCode, want)
		}
	}

	as, err := e.st.Submission(context.Background(), e.org, mal)
	if err != nil {
		t.Fatal(err)
	}
	recruiter := staffClient(e, store.RoleRecruiter)
	edit := e.url + "/assessments/" + as.Submission.AssessmentID + "/edit"
	_, form := getPage(t, recruiter, edit)
	if !strings.Contains(form, `name="similarity_threshold" type="number" min="1" max="100" value="40"`) {
		t.Error("the edit form does not show the default threshold, 40 %")
	}
	resp, err = recruiter.PostForm(e.url+"/assessments/"+as.Submission.AssessmentID, url.Values{"csrf_token": {csrfTokenOf(t, recruiter, edit)},
		"title": {"Backend round"}, "hours": {"24"}, "attempts": {"3"}, "candidate_view": {"total"}, "grading_mode": {"adaptive"},
		"blind_review": {"on"}, "similarity_threshold": {"75"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	saved, err := e.st.Assessment(context.Background(), e.org, as.Submission.AssessmentID)
	if err != nil || resp.StatusCode != http.StatusSeeOther || saved.SimilarityThreshold != 0.75 {
		t.Errorf("threshold from the form: %d, saved %+v", resp.StatusCode, saved)
	}
}

// TestSimilarityInTheBrowser: a reviewer follows the flag from the table to
// the scorecard and the pair page, where a fragment's link scrolls the
// submission's file to the copied lines, and marks the pair.
func TestSimilarityInTheBrowser(t *testing.T) {
	e := newEnv(t, "")
	_, mal := copiedPair(t, e, 200)
	b := newBrowser(t)
	tab := b.tab()
	b.signIn(tab, e.url, "reviewer@acme.test")
	b.do(tab, "follow the flag to the pair page",
		chromedp.Navigate(e.url+"/submissions"),
		chromedp.Click(chromedp.CSS(`a.flag-similar[href^="/submissions/`+mal+`"]`)),
		chromedp.WaitVisible(chromedp.ID("similarity-flag")),
		chromedp.Click(chromedp.CSS(`#similarity-flag a`)),
		chromedp.WaitVisible(chromedp.ID("pair-facts")),
	)
	if got := b.text(tab, "h1"); got != "Candidate 2 and Candidate 1" {
		t.Errorf("pair page heading %q under blind review", got)
	}
	scrolled := func(pane string) float64 {
		v, err := chromedp.Run(tab, chromedp.Evaluate[float64](`document.querySelector(".pair .pane:`+pane+`").scrollTop`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if before := scrolled("first-child") + scrolled("last-child"); before != 0 {
		t.Fatalf("the panes start scrolled by %v px", before)
	}
	b.do(tab, "follow the first fragment", chromedp.Click(chromedp.CSS(`ol.fragments li:first-child a`)),
		chromedp.WaitVisible(chromedp.ID("a-f1")))
	// 200 and 100 lines of their own before the copied code, about 20 px each.
	if self, other := scrolled("first-child"), scrolled("last-child"); self < 3000 || other < 1500 {
		t.Errorf("the panes scrolled to %v and %v px: want both at the copied lines", self, other)
	}
	b.screenshot(tab, "similarity-pair")
	b.do(tab, "mark the pair", chromedp.Click(chromedp.CSS(`#mark-form button`)), chromedp.WaitVisible(chromedp.ID("reviewed")))
	b.do(tab, "back to the table", chromedp.Navigate(e.url+"/submissions"), chromedp.WaitVisible(chromedp.CSS("table.subs")))
	if n, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("a.flag-similar").length`)); err != nil || n != 0 {
		t.Errorf("%d flags left on the table after the mark (%v)", n, err)
	}
}

// TestKnownSolutionPairPage: a submission copied from a registered known
// solution shows the solution by its URL on the scorecard and the pair page,
// with the solution's file beside the candidate's.
func TestKnownSolutionPairPage(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	a := store.Actor{OrgID: e.org, Label: "test"}
	as := reviewAssessment(t, e, a, false)
	sub, _ := gradedIn(t, e, a, as, "Mal Lory", "mlory", 60)
	if _, err := e.st.RequestRegrade(ctx, a, sub); err != nil {
		t.Fatal(err)
	}
	storeRun(t, e, sub, hostileScorecard(70), takeCode(t, goCode("add", 0, "")))
	k, err := e.st.AddKnownSolution(ctx, e.actor(store.RoleAdmin), helloSuite.Slug, "https://github.com/someone/hello-answer")
	if err != nil {
		t.Fatal(err)
	}
	// As the task leaves it once fetched: the snapshot and its fingerprints.
	answer := takeCode(t, goCode("sum", 0, ""))
	files := make([]similarity.File, len(answer.Files))
	for i, f := range answer.Files {
		files[i] = similarity.File{Path: f.Path, Content: f.Content}
	}
	fp, err := similarity.NewIndex(similarity.Options{}).Fingerprint(files).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.KnownSolutionFetched(ctx, k.ID, "feed", answer, fp); err != nil {
		t.Fatal(err)
	}
	if err := (&simjob.Job{Store: e.st, Catalog: helloCatalog}).CompareKnownSolution(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	rev := staffClient(e, store.RoleReviewer)
	_, card := getPage(t, rev, e.url+"/submissions/"+sub)
	pair := "/submissions/" + sub + "/similarity/" + k.ID
	if !strings.Contains(card, `<a href="`+pair+`">Known solution https://github.com/someone/hello-answer</a>`) {
		t.Errorf("the scorecard does not name the known solution by its URL")
	}
	status, page := getPage(t, rev, e.url+pair)
	for _, want := range []string{"and a known solution</h1>", "<dt>Known solution</dt><dd><code>https://github.com/someone/hello-answer</code>",
		"Known solution https://github.com/someone/hello-answer: <code>main.go</code>", `<a id="b-f1"></a>`, "sum0"} {
		if !strings.Contains(page, want) {
			t.Errorf("known solution pair page (%d) lacks %q", status, want)
		}
	}
}

// TestMatchInAnotherAssessmentNamesIt: candidates are numbered per
// assessment, so a match in another assessment of the same take-home says
// which one.
func TestMatchInAnotherAssessmentNamesIt(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	grace, mal := copiedPair(t, e, 0)
	a := store.Actor{OrgID: e.org, Label: "test"}
	second := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: helloSuite.Version, Title: "Spring intake",
		HoursAllowed: 24, MaxSubmissions: 3, CandidateView: store.ViewTotal, BlindReview: true}
	if err := e.st.CreateAssessment(ctx, a, &second); err != nil {
		t.Fatal(err)
	}
	ivy, _ := gradedIn(t, e, a, second.ID, "Ivy Copy", "icopy", 50)
	if _, err := e.st.RequestRegrade(ctx, a, ivy); err != nil {
		t.Fatal(err)
	}
	storeRun(t, e, ivy, hostileScorecard(70), takeCode(t, goCode("mul", 0, "")))
	if err := (&simjob.Job{Store: e.st, Catalog: helloCatalog}).CompareSubmission(ctx, ivy, 2); err != nil {
		t.Fatal(err)
	}
	_, card := getPage(t, staffClient(e, store.RoleReviewer), e.url+"/submissions/"+ivy)
	for _, want := range []string{`/similarity/` + grace + `">Candidate 1 (Backend round)</a>`, `/similarity/` + mal + `">Candidate 2 (Backend round)</a>`} {
		if !strings.Contains(card, want) {
			t.Errorf("Ivy's scorecard lacks %q", want)
		}
	}
	if _, card = getPage(t, staffClient(e, store.RoleReviewer), e.url+"/submissions/"+grace); !strings.Contains(card, `">Candidate 1 (Spring intake)</a>`) ||
		strings.Contains(card, "Ivy Copy") {
		t.Error("Grace's scorecard does not name Ivy's assessment, or names Ivy under blind review")
	}
}
