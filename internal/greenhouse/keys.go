package greenhouse

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/assayhq/assay/internal/sealbox"
)

// newKey makes an organisation's API key: 32 random bytes, URL-safe
// base64 behind a prefix that says what it is (43 + 4 characters; Greenhouse
// takes keys under 171).
func newKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return "agh_" + base64.RawURLEncoding.EncodeToString(b)
}

// hashKey is how a presented key is looked up.
func hashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// keyLabel keeps the partner keys' sealing key apart from other uses of the
// platform's secret.
const keyLabel = "assay partner key seal"

// seal encrypts a key for storage: the completion callback needs it back.
func seal(secret []byte, key string) ([]byte, error) {
	b, err := sealbox.New(secret, keyLabel)
	if err != nil {
		return nil, err
	}
	return b.Seal([]byte(key)), nil
}

// unseal decrypts a stored key.
func unseal(secret, sealed []byte) (string, error) {
	b, err := sealbox.New(secret, keyLabel)
	if err != nil {
		return "", err
	}
	key, err := b.Open(sealed)
	if err != nil {
		return "", fmt.Errorf("unseal the Greenhouse key (rotate it if ASSAY_SECRET_KEY changed): %w", err)
	}
	return string(key), nil
}
