package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/store"
)

// reviewAssessment makes an assessment of the hello take-home in org,
// reviewed blind when blind is set.
func reviewAssessment(t testing.TB, e *env, a store.Actor, blind bool) string {
	t.Helper()
	as := store.Assessment{Takehome: helloSuite.Slug, SuiteVersion: helloSuite.Version, Title: "Backend round",
		HoursAllowed: 24, MaxSubmissions: 3, CandidateView: store.ViewTotal, BlindReview: blind}
	if err := e.st.CreateAssessment(context.Background(), a, &as); err != nil {
		t.Fatal(err)
	}
	return as.ID
}

// gradedIn adds a candidate to an assessment and grades their submission
// (score out of 100); it returns the submission and the invitation.
func gradedIn(t testing.TB, e *env, a store.Actor, assessmentID, name, owner string, score int) (subID, invitationID string) {
	t.Helper()
	ctx := context.Background()
	inv := store.Invitation{AssessmentID: assessmentID, CandidateName: name, CandidateEmail: strings.ToLower(owner) + "@example.com"}
	token, err := e.st.CreateInvitation(ctx, a, &inv)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.st.Submit(ctx, token, "https://github.com/"+owner+"/shop", "")
	if err != nil {
		t.Fatal(err)
	}
	storeScorecard(t, e, sub.ID, hostileScorecard(score))
	return sub.ID, inv.ID
}

// addReviewer makes a second reviewer who can sign in.
func addReviewer(t testing.TB, e *env, email string) {
	t.Helper()
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.CreateUser(context.Background(), store.Actor{OrgID: e.org, Label: "test"},
		&store.User{Email: email, Role: store.RoleReviewer, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
}

// allScores is the form of a rubric scoring with every criterion at n.
func allScores(n string) url.Values {
	v := url.Values{}
	for i := range store.DefaultRubric {
		v.Set("score"+string(rune('0'+i)), n)
	}
	return v
}

// TestReviewRoutesEveryRoleOtherOrganisation: each role calls every route
// of the reviewer workspace on its own organisation's objects (allowed, or
// 403) and on another organisation's (404 when allowed).
func TestReviewRoutesEveryRoleOtherOrganisation(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	globex, err := e.st.EnsureOrganization(ctx, "Globex")
	if err != nil {
		t.Fatal(err)
	}
	own, other := e.actor(store.RoleRecruiter), store.Actor{OrgID: globex.ID, Label: "test"}
	type object struct{ assessment, submission, invitation string }
	fresh := func(a store.Actor) object {
		as := reviewAssessment(t, e, a, false)
		sub, inv := gradedIn(t, e, a, as, "Ada", "ada", 60)
		return object{as, sub, inv}
	}
	routes := []struct {
		method, path string // {a} the assessment, {s} the submission, {i} the invitation
		form         url.Values
		roles        []string
		ok           int
	}{
		{"GET", "/assessments/{a}/rubric", nil, []string{store.RoleAdmin, store.RoleRecruiter}, http.StatusOK},
		{"POST", "/assessments/{a}/rubric", url.Values{"name": {"Naming"}, "level1": {"a"}, "level2": {"b"}, "level3": {"c"}, "level4": {"d"}},
			[]string{store.RoleAdmin, store.RoleRecruiter}, http.StatusSeeOther},
		{"POST", "/submissions/{s}/rubric", allScores("3"), []string{store.RoleAdmin, store.RoleReviewer}, http.StatusSeeOther},
		{"POST", "/submissions/{s}/reviews", url.Values{"decision": {"hold"}}, []string{store.RoleAdmin, store.RoleReviewer}, http.StatusSeeOther},
		{"GET", "/submissions/{s}", nil, []string{store.RoleAdmin, store.RoleRecruiter, store.RoleReviewer}, http.StatusOK},
		{"GET", "/assessments/{a}/compare?pick={i}", nil, []string{store.RoleAdmin, store.RoleRecruiter, store.RoleReviewer}, http.StatusOK},
	}
	for _, r := range routes {
		for _, role := range []string{store.RoleAdmin, store.RoleRecruiter, store.RoleReviewer} {
			for _, owner := range []store.Actor{own, other} {
				name := r.method + " " + r.path + " as " + role + map[bool]string{true: " on own", false: " on other"}[owner == own]
				t.Run(name, func(t *testing.T) {
					o := fresh(owner)
					path := strings.NewReplacer("{a}", o.assessment, "{s}", o.submission, "{i}", o.invitation).Replace(r.path)
					c := staffClient(e, role)
					var resp *http.Response
					var err error
					if r.method == "GET" {
						resp, err = c.Get(e.url + path)
					} else {
						form := url.Values{"csrf_token": {csrfTokenOf(t, c, e.url+"/submissions")}}
						for k, v := range r.form {
							form[k] = v
						}
						resp, err = c.PostForm(e.url+path, form)
					}
					if err != nil {
						t.Fatal(err)
					}
					body := readBody(t, resp)
					want := r.ok
					switch {
					case !slices.Contains(r.roles, role):
						want = http.StatusForbidden
					case owner == other:
						want = http.StatusNotFound
					}
					if resp.StatusCode != want {
						t.Fatalf("%d, want %d: %.300s", resp.StatusCode, want, body)
					}
				})
			}
		}
	}
}

// TestDecisionOnceOnTheDashboard: a second decision is refused with a clear
// 409 page; an admin's explicit change goes through and both show who.
func TestDecisionOnceOnTheDashboard(t *testing.T) {
	e := newEnv(t, "")
	as := reviewAssessment(t, e, e.actor(store.RoleRecruiter), false)
	sub, _ := gradedIn(t, e, e.actor(store.RoleRecruiter), as, "Ada", "ada", 60)
	page := e.url + "/submissions/" + sub
	decide := func(role string, v url.Values) (int, string) {
		c := staffClient(e, role)
		v.Set("csrf_token", csrfTokenOf(t, c, page))
		resp, err := c.PostForm(page+"/reviews", v)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readBody(t, resp)
	}
	if status, _ := decide(store.RoleReviewer, url.Values{"decision": {"hold"}, "notes": {"first look"}}); status != http.StatusSeeOther {
		t.Fatalf("first decision: %d", status)
	}
	if status, body := decide(store.RoleAdmin, url.Values{"decision": {"advance"}}); status != http.StatusConflict ||
		!strings.Contains(body, "already has a decision") {
		t.Fatalf("second decision: %d\n%.500s", status, body)
	}
	if status, _ := decide(store.RoleReviewer, url.Values{"decision": {"advance"}, "change": {"true"}}); status != http.StatusForbidden {
		t.Fatalf("a reviewer's change: %d, want 403", status)
	}
	if status, _ := decide(store.RoleAdmin, url.Values{"decision": {"advance"}, "change": {"true"}}); status != http.StatusSeeOther {
		t.Fatalf("the admin's change: %d", status)
	}
	resp, err := staffClient(e, store.RoleRecruiter).Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	for _, want := range []string{"by reviewer@acme.test", "by admin@acme.test", `<span class="tag">changed</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the decision section lacks %q", want)
		}
	}
	// The reviewer is offered no second decision form.
	resp, _ = staffClient(e, store.RoleReviewer).Get(page)
	if body := readBody(t, resp); strings.Contains(body, `action="/submissions/`+sub+`/reviews"`) {
		t.Error("a reviewer is offered to decide again")
	}
}

// TestRubricEditorSaysWhatIsWrong: a criterion with a blank level is
// refused with the row and level named, and nothing changes.
func TestRubricEditorSaysWhatIsWrong(t *testing.T) {
	e := newEnv(t, "")
	as := reviewAssessment(t, e, e.actor(store.RoleRecruiter), false)
	c := staffClient(e, store.RoleRecruiter)
	page := e.url + "/assessments/" + as + "/rubric"
	form := url.Values{"csrf_token": {csrfTokenOf(t, c, page)}, "name": {"Naming", ""}, "level1": {"a", ""}, "level2": {"b", ""},
		"level3": {"", ""}, "level4": {"d", ""}}
	resp, err := c.PostForm(page, form)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Criterion 1, level 3: must be 1 to 200 characters.") {
		t.Fatalf("%d\n%.2000s", resp.StatusCode, body)
	}
	got, _ := e.st.Assessment(context.Background(), e.org, as)
	if len(got.Criteria()) != len(store.DefaultRubric) {
		t.Fatalf("a refused rubric changed it: %+v", got.Criteria())
	}
}

// TestEvidenceReadsWell: a JSON response body is indented and, when long,
// folded; the schema dump shows as tables, its raw text without the SET
// preamble one click away.
func TestEvidenceReadsWell(t *testing.T) {
	e := newEnv(t, "")
	as := reviewAssessment(t, e, e.actor(store.RoleRecruiter), false)
	ctx := context.Background()
	token, err := e.st.CreateInvitation(ctx, e.actor(store.RoleRecruiter), &store.Invitation{AssessmentID: as, CandidateName: "Ada", CandidateEmail: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.st.Submit(ctx, token, "https://github.com/ada/shop", "")
	if err != nil {
		t.Fatal(err)
	}
	card := hostileScorecard(60)
	items := make([]string, 30)
	for i := range items {
		items[i] = `{"id":` + string(rune('0'+i%10)) + `}`
	}
	card.Checks[1].Evidence["exchanges"] = []grading.Exchange{{Method: "GET", Path: "/items", Status: 200,
		ContentType: "application/json", ResponseBody: "[" + strings.Join(items, ",") + "]"}}
	card.SchemaDump = "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\n" +
		"CREATE TABLE public.items (\n    id bigint NOT NULL,\n    name text\n);\n\nALTER TABLE ONLY public.items\n    ADD CONSTRAINT items_pkey PRIMARY KEY (id);\n"
	storeScorecard(t, e, sub.ID, card)
	resp, err := staffClient(e, store.RoleReviewer).Get(e.url + "/submissions/" + sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	for _, want := range []string{
		`<details class="fold"><summary>response body · 92 lines</summary>`,
		"[\n  {\n    &#34;id&#34;: 0\n  },",
		`<th scope="row"><code>id</code></th><td><code>bigint</code></td><td>not null</td><td></td><td>primary key</td>`,
		`<details id="schema-raw"><summary>Raw dump</summary><pre>CREATE TABLE public.items`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the scorecard page lacks %q", want)
		}
	}
	if strings.Contains(body, "statement_timeout") {
		t.Error("the raw dump keeps its SET preamble")
	}
}

// TestBlindReviewHoldsOnEveryPageOfTheCandidate: under blind review a
// reviewer reads the candidate's code, changes, interview and decision pages
// without their name, email or repository owner; an admin sees them.
func TestBlindReviewHoldsOnEveryPageOfTheCandidate(t *testing.T) {
	e := newEnv(t, "")
	a := store.Actor{OrgID: e.org, Label: "test"}
	as := reviewAssessment(t, e, a, true)
	sub, _ := gradedIn(t, e, a, as, "Grace Hopper", "ghopper", 70)
	rev, admin := staffClient(e, store.RoleReviewer), staffClient(e, store.RoleAdmin)
	for _, path := range []string{"", "/code", "/code/diff", "/interview", "/decision"} {
		url := e.url + "/submissions/" + sub + path
		resp, err := rev.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("reviewer %s: %d", path, resp.StatusCode)
		}
		for _, secret := range []string{"Grace Hopper", "ghopper"} {
			if strings.Contains(body, secret) {
				t.Errorf("reviewer reads %q on %s under blind review", secret, "/submissions/{id}"+path)
			}
		}
		resp, err = admin.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, resp); !strings.Contains(body, "Grace Hopper") {
			t.Errorf("admin does not see the name on %s", "/submissions/{id}"+path)
		}
	}
}
