package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/assayhq/assay/internal/sealbox"
)

// Signing secrets are kept sealed (package sealbox) as "sealed:" and base64: the
// worker must read them back to sign, and a copy of the database alone must not let
// anyone forge deliveries. Secrets stored in clear by earlier versions ("whsec_...")
// are still read, and SealWebhookSecrets seals them.
const (
	webhookSecretLabel = "assay webhook signing secret"
	sealedPrefix       = "sealed:"
)

// ErrNoSealKey means the store was opened without the platform's secret key.
var ErrNoSealKey = errors.New("webhook signing secrets are sealed with ASSAY_SECRET_KEY, which this process was not given")

func (s *Store) sealSecret(secret string) (string, error) {
	if s.secrets == nil {
		return "", ErrNoSealKey
	}
	return sealedPrefix + base64.StdEncoding.EncodeToString(s.secrets.Seal([]byte(secret))), nil
}

func (s *Store) openSecret(stored string) (string, error) {
	enc, sealed := strings.CutPrefix(stored, sealedPrefix)
	if !sealed {
		return stored, nil // from before secrets were sealed
	}
	if s.secrets == nil {
		return "", ErrNoSealKey
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("webhook signing secret: %w", sealbox.ErrOpen)
	}
	plain, err := s.secrets.Open(raw)
	if err != nil {
		return "", fmt.Errorf("webhook signing secret: %w", err)
	}
	return string(plain), nil
}

// SealWebhookSecrets seals the signing secrets earlier versions stored in clear.
// Workers call it on start; it is cheap when there is nothing to do.
func (s *Store) SealWebhookSecrets(ctx context.Context) (int, error) {
	var rows []struct {
		ID             string
		Secret         string
		PreviousSecret *string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT id, secret, previous_secret FROM webhook_endpoints
		WHERE secret NOT LIKE 'sealed:%' OR previous_secret NOT LIKE 'sealed:%'`).Scan(&rows).Error
	if err != nil {
		return 0, fmt.Errorf("find clear webhook secrets: %w", err)
	}
	for _, r := range rows {
		set := map[string]any{}
		for col, v := range map[string]*string{"secret": &r.Secret, "previous_secret": r.PreviousSecret} {
			if v == nil || strings.HasPrefix(*v, sealedPrefix) {
				continue
			}
			sealed, err := s.sealSecret(*v)
			if err != nil {
				return 0, err
			}
			set[col] = sealed
		}
		// Only where the row still holds what was read: a rotation meanwhile wins.
		err := s.db.WithContext(ctx).Model(&WebhookEndpoint{}).
			Where("id = ? AND secret = ?", r.ID, r.Secret).Updates(set).Error
		if err != nil {
			return 0, fmt.Errorf("seal webhook secrets of %s: %w", r.ID, err)
		}
	}
	return len(rows), nil
}

// newWebhookSecret makes a Standard Webhooks secret: whsec_ and 32 random
// bytes in base64.
func newWebhookSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}
