// Package storetest gives a test of a store user a migrated platform
// database of its own with one organisation in it. Store's own internal
// tests (package store) cannot use it, since it imports store; they keep
// their helper in store/helpers_test.go.
package storetest

import (
	"context"
	"io"
	"testing"

	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/testenv"
)

// SealKey is the platform secret key (ASSAY_SECRET_KEY) the test store is
// opened with, so it can make and read webhook signing secrets.
var SealKey = []byte("a platform secret key of 32 bytes")

// DB is a migrated platform database of the test's own, dropped when the
// test ends.
type DB struct {
	Store *store.Store
	// URL opens the same database again, as another process would.
	URL string
	// Org is the organisation "Acme"; Actor acts for it as "test".
	Org   *store.Organization
	Actor store.Actor
}

// New creates the database, migrates it, opens a store on it with SealKey
// and creates the organisation "Acme".
func New(t testing.TB) *DB {
	t.Helper()
	ctx := context.Background()
	url := testenv.NewDatabase(t)
	st, err := store.Open(ctx, url, store.WithSealKey(SealKey))
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx, "up", io.Discard); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	org, err := st.EnsureOrganization(ctx, "Acme")
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return &DB{Store: st, URL: url, Org: org, Actor: store.Actor{OrgID: org.ID, Label: "test"}}
}
