package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/sealbox"
)

// TestWebhookSecretsAreSealed: the signing secret is shown once and stored sealed;
// the worker reads it back (after a rotation, the old one too); a process without
// the platform's key, or with another, can neither make nor read one.
func TestWebhookSecretsAreSealed(t *testing.T) {
	ctx := context.Background()
	st, a := newTestStore(t)
	ep := WebhookEndpoint{URL: "https://hooks.example.com/", EventTypes: []string{EventSubmissionGraded}}
	if err := st.CreateWebhookEndpoint(ctx, a, &ep); err != nil {
		t.Fatal(err)
	}
	first := ep.Secret
	stored := func() (secret, previous string) {
		t.Helper()
		var prev *string
		if err := st.SQL().QueryRow(`SELECT secret, previous_secret FROM webhook_endpoints WHERE id = $1`, ep.ID).Scan(&secret, &prev); err != nil {
			t.Fatal(err)
		}
		if prev != nil {
			previous = *prev
		}
		return secret, previous
	}
	if s, _ := stored(); !strings.HasPrefix(first, "whsec_") || !strings.HasPrefix(s, "sealed:") || strings.Contains(s, first[6:]) {
		t.Fatalf("shown %q, stored %q", first, s)
	}
	signing := func(s *Store) ([]string, error) { return signingSecrets(t, st, s, a, ep.ID) }
	if got, err := signing(st); err != nil || !slices.Equal(got, []string{first}) {
		t.Fatalf("signing secrets %v %v", got, err)
	}

	rotated, err := st.UpdateWebhookEndpoint(ctx, a, ep.ID, WebhookEndpointChanges{RotateSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	if s, p := stored(); !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Secret == first ||
		!strings.HasPrefix(s, "sealed:") || !strings.HasPrefix(p, "sealed:") {
		t.Fatalf("after rotation: shown %q, stored %q and %q", rotated.Secret, s, p)
	}
	if got, err := signing(st); err != nil || !slices.Equal(got, []string{rotated.Secret, first}) {
		t.Fatalf("signing secrets after rotation %v %v", got, err)
	}
	if other, err := st.UpdateWebhookEndpoint(ctx, a, ep.ID, WebhookEndpointChanges{Description: new("x")}); err != nil || other.Secret != "" {
		t.Fatalf("an update that does not rotate hands out %q (%v)", other.Secret, err)
	}

	// Without the key, or with another.
	keyless := &Store{db: st.db}
	if _, err := signing(keyless); !errors.Is(err, ErrNoSealKey) {
		t.Errorf("no key, reading: %v", err)
	}
	if err := keyless.CreateWebhookEndpoint(ctx, a, &WebhookEndpoint{URL: "https://b.example.com/", EventTypes: []string{EventSubmissionGraded}}); !errors.Is(err, ErrNoSealKey) {
		t.Errorf("no key, creating: %v", err)
	}
	var endpoints int
	st.SQL().QueryRow(`SELECT count(*) FROM webhook_endpoints`).Scan(&endpoints)
	if endpoints != 1 {
		t.Errorf("%d endpoints after a refused creation", endpoints)
	}
	box, _ := sealbox.New([]byte("another platform secret key, 32b"), webhookSecretLabel)
	if _, err := signing(&Store{db: st.db, secrets: box}); !errors.Is(err, sealbox.ErrOpen) {
		t.Errorf("another key: %v", err)
	}
}

// TestSealWebhookSecretsOfEarlierVersions: secrets stored in clear still sign, and
// SealWebhookSecrets seals them in place, once.
func TestSealWebhookSecretsOfEarlierVersions(t *testing.T) {
	ctx := context.Background()
	st, a := newTestStore(t)
	ep := WebhookEndpoint{URL: "https://hooks.example.com/", EventTypes: []string{EventSubmissionGraded}}
	if err := st.CreateWebhookEndpoint(ctx, a, &ep); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SQL().Exec(`UPDATE webhook_endpoints SET secret = 'whsec_current', previous_secret = 'whsec_previous',
		previous_secret_expires_at = now() + interval '1 hour' WHERE id = $1`, ep.ID); err != nil {
		t.Fatal(err)
	}
	secrets := func() []string {
		t.Helper()
		got, err := signingSecrets(t, st, st, a, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := secrets(); !slices.Equal(got, []string{"whsec_current", "whsec_previous"}) {
		t.Fatalf("clear secrets read as %v", got)
	}
	if n, err := st.SealWebhookSecrets(ctx); err != nil || n != 1 {
		t.Fatalf("sealed %d: %v", n, err)
	}
	var clear int
	st.SQL().QueryRow(`SELECT count(*) FROM webhook_endpoints WHERE secret LIKE 'whsec_%' OR previous_secret LIKE 'whsec_%'`).Scan(&clear)
	if clear != 0 {
		t.Fatalf("%d endpoints still hold a clear secret", clear)
	}
	if got := secrets(); !slices.Equal(got, []string{"whsec_current", "whsec_previous"}) {
		t.Fatalf("sealed secrets read as %v", got)
	}
	if n, err := st.SealWebhookSecrets(ctx); err != nil || n != 0 {
		t.Fatalf("a second pass sealed %d: %v", n, err)
	}
}

// signingSecrets queues a ping to the endpoint through st and returns the secrets
// reader (a store with some key, or none) would sign its delivery with.
func signingSecrets(t *testing.T, st, reader *Store, a Actor, endpointID string) ([]string, error) {
	t.Helper()
	ctx := context.Background()
	d, err := st.PingWebhookEndpoint(ctx, a, endpointID)
	if err != nil {
		t.Fatal(err)
	}
	out, err := reader.OutgoingDelivery(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	return out.Secrets, nil
}
