package simjob_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/assayhq/assay/internal/catalog"
	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/gitfetch/gittest"
	"github.com/assayhq/assay/internal/simjob"
	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/assayhq/assay/internal/testenv"
)

const graders = "../../graders"

type env struct {
	st  *store.Store
	job *simjob.Job
	a   store.Actor // organisation Acme
	b   store.Actor // organisation Globex
}

func newEnv(t testing.TB) *env {
	db := storetest.New(t)
	globex, err := db.Store.EnsureOrganization(context.Background(), "Globex")
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.New(
		catalog.Takehome{Slug: "planets-crud", Version: "1", Starter: os.DirFS(graders + "/planets-crud/starter")},
		catalog.Takehome{Slug: "shopping-list", Version: "1", Starter: os.DirFS(graders + "/shopping-list/starter")})
	return &env{st: db.Store, a: db.Actor, b: store.Actor{OrgID: globex.ID, Label: "test"},
		job: &simjob.Job{Store: db.Store, Catalog: cat, Fetch: simjob.GitFetcher{Options: gitfetch.Options{AllowLoopbackHTTP: true}}}}
}

func (e *env) assessment(t testing.TB, a store.Actor, takehome string) string {
	t.Helper()
	as := store.Assessment{Takehome: takehome, SuiteVersion: "1", Title: takehome, HoursAllowed: 24, MaxSubmissions: 3,
		CandidateView: store.ViewTotal}
	if err := e.st.CreateAssessment(context.Background(), a, &as); err != nil {
		t.Fatal(err)
	}
	return as.ID
}

// graded submits for a new candidate of the assessment and finishes a
// grading run that kept fsys as its code; the similarity task is then in
// the outbox, not yet run.
func (e *env) graded(t testing.TB, a store.Actor, assessmentID, name string, fsys fs.FS) string {
	t.Helper()
	ctx := context.Background()
	token, err := e.st.CreateInvitation(ctx, a, &store.Invitation{AssessmentID: assessmentID, CandidateName: name,
		CandidateEmail: strings.ToLower(name) + "@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.st.Submit(ctx, token, "https://github.com/"+strings.ToLower(name)+"/solution", "")
	if err != nil {
		t.Fatal(err)
	}
	e.finish(t, sub.ID, fsys)
	return sub.ID
}

func (e *env) finish(t testing.TB, id string, fsys fs.FS) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.st.ClaimSubmission(ctx, id, "w", time.Minute); err != nil {
		t.Fatal(err)
	}
	snap, err := snapshot.Take(fsys, snapshot.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	r := store.GradeResult{Status: store.StatusGraded, Score: 1, MaxScore: 2, CommitSHA: "abc", Takehome: "x",
		SuiteVersion: "1", Scorecard: json.RawMessage(`{"score": 1}`), Code: snap}
	if err := e.st.FinishGrading(ctx, id, "w", r); err != nil {
		t.Fatal(err)
	}
}

// runTasks hands the outbox's similarity tasks to the job, as the relay and
// the worker would, and returns how many ran.
func (e *env) runTasks(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	ran := 0
	for {
		n, err := e.st.RelayOutbox(ctx, 100, func(m store.OutboxMessage) error {
			err := e.runTask(ctx, m)
			if err != nil {
				t.Errorf("task %s %s: %v", m.TaskType, m.TaskID, err)
			}
			if m.TaskType == tasks.CompareSubmission || m.TaskType == tasks.CompareKnownSolution {
				ran++
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 || t.Failed() {
			return ran
		}
	}
}

// runTask is the worker's routing of the similarity tasks.
func (e *env) runTask(ctx context.Context, m store.OutboxMessage) error {
	switch m.TaskType {
	case tasks.CompareSubmission:
		var p tasks.SimilarityPayload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			return err
		}
		return e.job.CompareSubmission(ctx, p.SubmissionID, p.Run)
	case tasks.CompareKnownSolution:
		var p tasks.KnownSolutionPayload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			return err
		}
		return e.job.CompareKnownSolution(ctx, p.KnownSolutionID)
	}
	return nil
}

func (e *env) matches(t *testing.T, a store.Actor, id string) []store.SimilarityMatch {
	t.Helper()
	ms, _, err := e.st.SubmissionSimilarity(context.Background(), a.OrgID, id)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func matchWith(ms []store.SimilarityMatch, other string) *store.SimilarityMatch {
	for i := range ms {
		if ms[i].OtherID == other {
			return &ms[i]
		}
	}
	return nil
}

// renamed is a candidate's disguise of a copy: identifiers renamed,
// comments rewritten, files moved.
func renamed(t *testing.T, dir string) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(dir + "/" + p)
		if err != nil {
			return err
		}
		s := string(b)
		for _, r := range [][2]string{{"planet", "world"}, {"Planet", "World"}, {"store", "repo"}, {"Store", "Repo"},
			{"err", "problem"}, {"// ", "// my own note: "}} {
			s = strings.ReplaceAll(s, r[0], r[1])
		}
		out["src/"+p] = &fstest.MapFile{Data: []byte(s)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCopyFlaggedOnBothSidesWithinItsOrganisationOnly: a renamed copy of a
// submission is flagged, from its side and (updated by the newcomer's task)
// from the original's; an independent solution in another language is not;
// the same original in another organisation is compared with nothing of
// this one.
func TestCopyFlaggedOnBothSidesWithinItsOrganisationOnly(t *testing.T) {
	e := newEnv(t)
	goSolution := graders + "/planets-crud/testdata/solutions/go"
	planets := e.assessment(t, e.a, "planets-crud")
	original := e.graded(t, e.a, planets, "Ada", os.DirFS(goSolution))
	independent := e.graded(t, e.a, planets, "Grace", os.DirFS(graders+"/planets-crud/testdata/solutions/node"))
	if n := e.runTasks(t); n != 2 {
		t.Fatalf("%d similarity tasks after two graded runs, want 2", n)
	}
	copied := e.graded(t, e.a, planets, "Mallory", renamed(t, goSolution))
	elsewhere := e.graded(t, e.b, e.assessment(t, e.b, "planets-crud"), "Eve", os.DirFS(goSolution))
	e.runTasks(t)

	m := matchWith(e.matches(t, e.a, copied), original)
	if m == nil || !m.Flagged || m.OtherKind != store.OtherSubmission {
		t.Fatalf("copy's matches %+v: want the original, flagged", e.matches(t, e.a, copied))
	}
	if m.SimilaritySelf < 0.7 || m.LinesSelf < 200 || m.Longest.SelfPath == "" || !strings.HasPrefix(m.Longest.SelfPath, "src/") {
		t.Errorf("copy's match %+v: want most of it shared and the longest fragment located in its files", m)
	}
	back := matchWith(e.matches(t, e.a, original), copied)
	if back == nil || !back.Flagged || back.Similarity != m.Similarity || back.Longest.SelfPath != m.Longest.OtherPath {
		t.Errorf("original's side %+v: want the same pair seen from the original", back)
	}
	for _, id := range []string{original, copied} {
		if x := matchWith(e.matches(t, e.a, id), independent); x != nil && x.Flagged {
			t.Errorf("independent solution flagged against %s: %+v", id, x)
		}
	}
	if ms := e.matches(t, e.b, elsewhere); len(ms) != 0 {
		t.Errorf("Globex's only submission matched %+v: organisations are never compared", ms)
	}
	for _, id := range []string{original, copied, independent} {
		if x := matchWith(e.matches(t, e.a, id), elsewhere); x != nil {
			t.Errorf("Acme's %s matched Globex's submission", id)
		}
	}
	if _, _, err := e.st.SubmissionSimilarity(context.Background(), e.b.OrgID, copied); err == nil {
		t.Error("Globex read Acme's similarity results")
	}
	flags, err := e.st.SimilarityFlags(context.Background(), e.a.OrgID, []string{original, copied, independent})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := flags[independent]; ok || len(flags) != 2 {
		t.Errorf("flags %v: want the original and the copy only", flags)
	}
}

// TestStarterOnlySubmissionsNeverFlag: the job subtracts the take-home's
// starter kit (from the catalogue), so two candidates who handed in the
// starter untouched share nothing.
func TestStarterOnlySubmissionsNeverFlag(t *testing.T) {
	e := newEnv(t)
	shopping := e.assessment(t, e.a, "shopping-list")
	starter := os.DirFS(graders + "/shopping-list/starter")
	first := e.graded(t, e.a, shopping, "Ada", starter)
	second := e.graded(t, e.a, shopping, "Grace", starter)
	e.runTasks(t)
	for _, id := range []string{first, second} {
		for _, m := range e.matches(t, e.a, id) {
			if m.Flagged || m.Similarity > 0.01 {
				t.Errorf("starter-only submission %s matched %+v", id, m)
			}
		}
	}
}

// An organisation's own take-home subtracts its own starter kit, read from
// the stored bundle: two submissions that are only that kit never flag.
func TestOwnTakehomeStarterNeverFlags(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	files := testenv.HelloBundle("own-list", "hello\n")
	for name, content := range readDir(t, graders+"/shopping-list/starter") {
		files["starter/"+name] = content
	}
	bundle := testenv.Zip(files)
	v := &store.TakehomeVersion{SuiteVersion: "1", Title: "Own list", Brief: "# Own list", Source: store.TakehomeSourceUpload, Bundle: bundle}
	if _, err := e.st.CreateTakehome(ctx, e.a, "own-list", v); err != nil {
		t.Fatal(err)
	}
	if err := e.st.FinishTakehomeCheck(ctx, e.a.OrgID, v.ID, store.TakehomeIssuable, json.RawMessage(`[]`), ""); err != nil {
		t.Fatal(err)
	}
	as := store.Assessment{Takehome: "own-list", SuiteVersion: "1", Title: "Own list", HoursAllowed: 24, MaxSubmissions: 3,
		CandidateView: store.ViewTotal, TakehomeVersionID: &v.ID}
	if err := e.st.CreateAssessment(ctx, e.a, &as); err != nil {
		t.Fatal(err)
	}
	starter := os.DirFS(graders + "/shopping-list/starter")
	first := e.graded(t, e.a, as.ID, "Ada", starter)
	second := e.graded(t, e.a, as.ID, "Grace", starter)
	e.runTasks(t)
	for _, id := range []string{first, second} {
		for _, m := range e.matches(t, e.a, id) {
			if m.Flagged || m.Similarity > 0.01 {
				t.Errorf("starter-only submission %s of the organisation's own take-home matched %+v", id, m)
			}
		}
	}
}

// TestTaskIsIdempotent: running a submission's task again (a redelivery, a
// retry) leaves the same results on both sides, and a regrade's new run
// replaces the pair instead of adding one.
func TestTaskIsIdempotent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	goSolution := graders + "/planets-crud/testdata/solutions/go"
	planets := e.assessment(t, e.a, "planets-crud")
	original := e.graded(t, e.a, planets, "Ada", os.DirFS(goSolution))
	copied := e.graded(t, e.a, planets, "Mallory", renamed(t, goSolution))
	e.runTasks(t)
	strip := func(ms []store.SimilarityMatch) []store.SimilarityMatch {
		for i := range ms {
			ms[i].ComputedAt = time.Time{}
		}
		return ms
	}
	before := [][]store.SimilarityMatch{strip(e.matches(t, e.a, original)), strip(e.matches(t, e.a, copied))}
	if len(before[0]) != 1 || len(before[1]) != 1 {
		t.Fatalf("matches %+v, want one pair", before)
	}
	for range 2 {
		if err := e.job.CompareSubmission(ctx, copied, 1); err != nil {
			t.Fatal(err)
		}
		if err := e.job.CompareSubmission(ctx, original, 1); err != nil {
			t.Fatal(err)
		}
	}
	after := [][]store.SimilarityMatch{strip(e.matches(t, e.a, original)), strip(e.matches(t, e.a, copied))}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("after running the tasks again:\n%+v\nbefore:\n%+v", after, before)
	}

	if _, err := e.st.RequestRegrade(ctx, e.a, copied); err != nil {
		t.Fatal(err)
	}
	e.finish(t, copied, renamed(t, goSolution))
	e.runTasks(t)
	ms := e.matches(t, e.a, original)
	if len(ms) != 1 || ms[0].OtherRun != 2 {
		t.Errorf("after the copy's regrade the original has %+v, want one pair with run 2", ms)
	}
}

// TestMarksAreAuditedAndLiftTheFlag: "reviewed: not a concern" on a pair
// lifts the flag on both submissions, is audited, and can be withdrawn.
func TestMarksAreAuditedAndLiftTheFlag(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	goSolution := graders + "/planets-crud/testdata/solutions/go"
	planets := e.assessment(t, e.a, "planets-crud")
	original := e.graded(t, e.a, planets, "Ada", os.DirFS(goSolution))
	copied := e.graded(t, e.a, planets, "Mallory", renamed(t, goSolution))
	e.runTasks(t)
	reviewer := store.User{Email: "rita@acme.test", Role: store.RoleReviewer, PasswordHash: "x"}
	if err := e.st.CreateUser(ctx, e.a, &reviewer); err != nil {
		t.Fatal(err)
	}
	rita := store.Actor{OrgID: e.a.OrgID, UserID: reviewer.ID, Label: "user:rita@acme.test"}

	if _, err := e.st.MarkSimilarity(ctx, store.Actor{OrgID: e.b.OrgID, Label: "user:eve"}, copied, original, true); err == nil {
		t.Fatal("another organisation marked Acme's pair")
	}
	m, err := e.st.MarkSimilarity(ctx, rita, copied, original, true)
	if err != nil {
		t.Fatal(err)
	}
	if m.Flagged || m.Reviewed == nil || m.Reviewed.By != "rita@acme.test" {
		t.Errorf("marked pair %+v: want not flagged, reviewed by rita", m)
	}
	if back := matchWith(e.matches(t, e.a, original), copied); back == nil || back.Flagged || back.Reviewed == nil {
		t.Errorf("the original's side %+v: want the mark there too", back)
	}
	if flags, _ := e.st.SimilarityFlags(ctx, e.a.OrgID, []string{original, copied}); len(flags) != 0 {
		t.Errorf("flags after the mark: %v", flags)
	}
	if _, err := e.st.MarkSimilarity(ctx, rita, original, copied, false); err != nil {
		t.Fatal(err)
	}
	if flags, _ := e.st.SimilarityFlags(ctx, e.a.OrgID, []string{original, copied}); len(flags) != 2 {
		t.Errorf("flags after withdrawing the mark: %v, want both back", flags)
	}
	log, err := e.st.AuditLog(ctx, e.a.OrgID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, entry := range log {
		if strings.HasPrefix(entry.Action, "similarity.") {
			got = append(got, fmt.Sprintf("%s %s %s", entry.Action, entry.Actor, entry.TargetID))
		}
	}
	want := []string{"similarity.unmarked user:rita@acme.test " + original, "similarity.marked user:rita@acme.test " + copied}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("audit %q, want %q", got, want)
	}
}

// readDir reads a directory's files for gittest.MakeRepo.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(dir + "/" + p)
		files[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestKnownSolutionByURLFlagsACopy: a public solution registered by URL
// (a git repository served over loopback HTTP, fetched through gitfetch) is
// fetched, snapshotted and fingerprinted by its task, and flags the copy
// graded before it was registered and the one graded after; the fetch
// policy refuses what it refuses for submissions.
func TestKnownSolutionByURLFlagsACopy(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	goSolution := graders + "/planets-crud/testdata/solutions/go"
	repo, commit := gittest.MakeRepo(t, readDir(t, goSolution))
	url := gittest.Serve(t, repo)
	planets := e.assessment(t, e.a, "planets-crud")
	before := e.graded(t, e.a, planets, "Mallory", renamed(t, goSolution))
	e.runTasks(t)
	if ms := e.matches(t, e.a, before); len(ms) != 0 {
		t.Fatalf("alone, the copy matched %+v", ms)
	}

	k, err := e.st.AddKnownSolution(ctx, e.a, "planets-crud", url)
	if err != nil {
		t.Fatal(err)
	}
	if k.Status != store.KnownPending {
		t.Errorf("registered known solution is %q, want pending until fetched", k.Status)
	}
	if _, err := e.st.AddKnownSolution(ctx, e.a, "planets-crud", url); err == nil {
		t.Error("the same URL registered twice")
	}
	e.runTasks(t)
	k, err = e.st.KnownSolution(ctx, e.a.OrgID, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if k.Status != store.KnownReady || k.CommitSHA != commit || k.Files < 5 {
		t.Fatalf("known solution after its task: %+v, want ready at %s with its files", k, commit)
	}
	after := e.graded(t, e.a, planets, "Oscar", renamed(t, goSolution))
	e.runTasks(t)
	for name, id := range map[string]string{"graded before": before, "graded after": after} {
		m := matchWith(e.matches(t, e.a, id), k.ID)
		if m == nil || !m.Flagged || m.OtherKind != store.OtherKnownSolution || m.SimilarityOther < 0.7 {
			t.Errorf("copy %s registration: matches %+v, want the known solution flagged", name, e.matches(t, e.a, id))
		}
	}
	pair, err := e.st.SimilarityPair(ctx, e.a.OrgID, before, k.ID)
	if err != nil || len(pair.Fragments) == 0 {
		t.Fatalf("pair %+v %v", pair, err)
	}
	files, err := e.st.KnownSolutionFiles(ctx, e.a.OrgID, k.ID)
	if err != nil || len(files) == 0 {
		t.Fatalf("known solution's files: %v", err)
	}
	if _, err := e.st.KnownSolutionFiles(ctx, e.b.OrgID, k.ID); err == nil {
		t.Error("Globex read Acme's known solution")
	}

	// The fetch policy: a private address, and plain http without the
	// dev/test switch, are refused and the solution says why.
	strict := &simjob.Job{Store: e.st, Catalog: e.job.Catalog, Fetch: simjob.GitFetcher{}}
	var bad *store.KnownSolution
	for _, tc := range []struct{ url, why string }{
		{"https://10.1.2.3/acme/solution", "10.1.2.3"},
		{url, "plain http"},
	} {
		bad, err = e.st.AddKnownSolution(ctx, e.b, "planets-crud", tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if err := strict.CompareKnownSolution(ctx, bad.ID); err != nil {
			t.Fatal(err)
		}
		bad, _ = e.st.KnownSolution(ctx, e.b.OrgID, bad.ID)
		if bad.Status != store.KnownFailed || !strings.Contains(bad.Error, tc.why) {
			t.Errorf("%s: %+v, want failed naming %q", tc.url, bad, tc.why)
		}
	}
	// Those registrations' tasks were the strict worker's, run above.
	if _, err := e.st.RelayOutbox(ctx, 100, func(store.OutboxMessage) error { return nil }); err != nil {
		t.Fatal(err)
	}
	// The failed one fetched again, by a worker with the dev switch this
	// time, is ready; the refetch is audited.
	if _, err := e.st.RefetchKnownSolution(ctx, e.a, bad.ID); err == nil {
		t.Error("Acme refetched Globex's known solution")
	}
	if bad, err = e.st.RefetchKnownSolution(ctx, e.b, bad.ID); err != nil || bad.Status != store.KnownPending {
		t.Fatalf("refetch: %+v %v", bad, err)
	}
	if n := e.runTasks(t); n != 1 {
		t.Errorf("%d tasks after the refetch, want its one", n)
	}
	if bad, _ = e.st.KnownSolution(ctx, e.b.OrgID, bad.ID); bad.Status != store.KnownReady || bad.CommitSHA != commit {
		t.Errorf("after the refetch: %+v", bad)
	}
	log, _ := e.st.AuditLog(ctx, e.b.OrgID, 1)
	if len(log) != 1 || log[0].Action != "known_solution.refetched" {
		t.Errorf("audit %+v, want the refetch", log)
	}
}

// TestRecomputeMatchesTheTasks: recomputing an assessment's group from the
// stored fingerprints gives the results the tasks gave one by one; a
// snapshot without fingerprints (graded before similarity) is fingerprinted
// on the way; another organisation's results are left alone.
func TestRecomputeMatchesTheTasks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	goSolution := graders + "/planets-crud/testdata/solutions/go"
	planets := e.assessment(t, e.a, "planets-crud")
	ids := []string{
		e.graded(t, e.a, planets, "Ada", os.DirFS(goSolution)),
		e.graded(t, e.a, planets, "Grace", os.DirFS(graders+"/planets-crud/testdata/solutions/node")),
		e.graded(t, e.a, planets, "Mallory", renamed(t, goSolution)),
	}
	elsewhere := e.graded(t, e.b, e.assessment(t, e.b, "planets-crud"), "Eve", os.DirFS(goSolution))
	e.graded(t, e.b, e.assessment(t, e.b, "planets-crud"), "Eve's twin", os.DirFS(goSolution))
	e.runTasks(t)
	strip := func(ms []store.SimilarityMatch) []store.SimilarityMatch {
		for i := range ms {
			ms[i].ComputedAt = time.Time{}
		}
		return ms
	}
	want := map[string][]store.SimilarityMatch{}
	for _, id := range ids {
		want[id] = strip(e.matches(t, e.a, id))
	}
	theirs := strip(e.matches(t, e.b, elsewhere))
	if len(want[ids[2]]) == 0 || len(theirs) != 1 {
		t.Fatalf("tasks gave %+v and %+v", want, theirs)
	}
	// As if Ada had been graded before similarity existed.
	if err := e.st.SetSnapshotFingerprints(ctx, e.a.OrgID, ids[0], 1, nil); err != nil {
		t.Fatal(err)
	}
	done, err := e.job.Recompute(ctx, e.a.OrgID, planets)
	if err != nil {
		t.Fatal(err)
	}
	if done.Documents != 3 || done.Flagged != 2 {
		t.Errorf("recompute %+v, want 3 documents compared and 2 submissions flagged", done)
	}
	for _, id := range ids {
		if got := strip(e.matches(t, e.a, id)); !reflect.DeepEqual(got, want[id]) {
			t.Errorf("%s after recompute:\n%+v\nthe tasks gave:\n%+v", id, got, want[id])
		}
	}
	if got := strip(e.matches(t, e.b, elsewhere)); !reflect.DeepEqual(got, theirs) {
		t.Errorf("Globex's results changed: %+v", got)
	}
	_, _, doc, err := e.st.SnapshotForSimilarity(ctx, ids[0], 1)
	if err != nil || doc.Fingerprints == nil {
		t.Errorf("Ada's snapshot has no fingerprints after the recompute (%v)", err)
	}
	if _, err := e.job.Recompute(ctx, e.a.OrgID, e.assessment(t, e.b, "planets-crud")); err == nil {
		t.Error("recomputed another organisation's assessment")
	}
}
