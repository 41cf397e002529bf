package storetest_test

import (
	"context"
	"testing"

	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
)

// TestNewGivesAMigratedStoreOfItsOwn: the store answers queries on migrated
// tables, its organisation is the actor's, it can make a webhook signing
// secret (the seal key is set), and a second test's database holds none of
// the first's rows.
func TestNewGivesAMigratedStoreOfItsOwn(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	if db.Actor.OrgID != db.Org.ID || db.Org.Name != "Acme" {
		t.Fatalf("actor %+v for organisation %+v", db.Actor, db.Org)
	}
	ep := store.WebhookEndpoint{URL: "https://example.com/hook", EventTypes: store.EventTypes}
	if err := db.Store.CreateWebhookEndpoint(ctx, db.Actor, &ep); err != nil {
		t.Fatalf("create webhook endpoint: %v", err)
	}
	other := storetest.New(t)
	if other.URL == db.URL {
		t.Fatal("two tests share a database")
	}
	eps, _, err := other.Store.WebhookEndpoints(ctx, other.Org.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 0 {
		t.Fatalf("a fresh database holds %d endpoints", len(eps))
	}
}
