package store

import (
	"context"
	"io"
	"testing"

	"github.com/assayhq/assay/internal/testenv"
)

// newTestStore opens a migrated store on a database of the test's own and
// returns it with an actor of a fresh organisation "Acme".
func newTestStore(t *testing.T) (*Store, Actor) {
	t.Helper()
	ctx := context.Background()
	st, err := Open(ctx, testenv.NewDatabase(t), WithSealKey([]byte("a platform secret key of 32 bytes")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx, "up", io.Discard); err != nil {
		t.Fatal(err)
	}
	org, err := st.EnsureOrganization(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	return st, Actor{OrgID: org.ID, Label: "test"}
}

// newInvitation makes an assessment of planets-crud allowing attempts submissions,
// invites Ada to it and returns her token.
func newInvitation(t *testing.T, st *Store, a Actor, attempts int) string {
	t.Helper()
	ctx := context.Background()
	as := Assessment{Takehome: "planets-crud", SuiteVersion: "1", Title: "T", HoursAllowed: 24, MaxSubmissions: attempts, CandidateView: ViewTotal}
	if err := st.CreateAssessment(ctx, a, &as); err != nil {
		t.Fatal(err)
	}
	token, err := st.CreateInvitation(ctx, a, &Invitation{AssessmentID: as.ID, CandidateName: "Ada", CandidateEmail: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return token
}
