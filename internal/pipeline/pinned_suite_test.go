package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
	"github.com/assayhq/assay/internal/testenv"
)

// A submission of an organisation's own take-home is graded with the suite
// of the version its assessment pins, read from that organisation alone.
func TestPinnedVersionGivesTheSuite(t *testing.T) {
	db := storetest.New(t)
	st, ctx := db.Store, context.Background()
	files := testenv.HelloBundle("hello-th", "hello\n")
	files["takehome.yaml"] = strings.Replace(files["takehome.yaml"], "ready_path: /\n", "ready_path: /\nlimits: {build: 3m}\n", 1)
	slug, v1, err := rules.TakehomeUpload(testenv.Zip(files))
	if err != nil {
		t.Fatal(err)
	}
	th, err := st.CreateTakehome(ctx, db.Actor, slug, v1)
	if err != nil {
		t.Fatal(err)
	}
	// Version 2 renames the check; the assessment pins version 1.
	files["takehome.yaml"] = strings.Replace(files["takehome.yaml"], "hello.answers", "hello.renamed", 1)
	_, v2, err := rules.TakehomeUpload(testenv.Zip(files))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddTakehomeVersion(ctx, db.Actor, th.ID, slug, v2); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*store.TakehomeVersion{v1, v2} {
		if err := st.FinishTakehomeCheck(ctx, db.Actor.OrgID, v.ID, store.TakehomeIssuable, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	as := store.Assessment{Takehome: slug, SuiteVersion: "1", Title: "T", HoursAllowed: 24, MaxSubmissions: 1,
		CandidateView: store.ViewTotal, TakehomeVersionID: &v1.ID}
	if err := st.CreateAssessment(ctx, db.Actor, &as); err != nil {
		t.Fatal(err)
	}
	p := &Pipeline{Store: st}
	suite, opts, err := p.suite(ctx, &store.GradeJob{Assessment: as})
	if err != nil {
		t.Fatal(err)
	}
	if suite.Slug != "hello-th" || suite.Checks[len(suite.Checks)-1].ID != "hello.answers" {
		t.Fatalf("suite %s with checks %+v, want version 1's", suite.Slug, suite.Checks)
	}
	if opts.Limits["build"].Wall != 3*time.Minute {
		t.Fatalf("build limit %v, want the bundle's 3m", opts.Limits["build"].Wall)
	}

	// An assessment of another organisation naming this version (which the
	// store refuses to make) gets nothing of it.
	other, err := st.EnsureOrganization(ctx, "Globex")
	if err != nil {
		t.Fatal(err)
	}
	forged := as
	forged.OrgID = other.ID
	if _, _, err := p.suite(ctx, &store.GradeJob{Assessment: forged}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another organisation's assessment loaded the bundle: %v", err)
	}
}
