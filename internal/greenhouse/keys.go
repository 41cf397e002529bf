package greenhouse

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
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

// aead derives the sealing cipher from the platform's secret key, with a
// label of its own so no other use of the secret shares it.
func aead(secret []byte) (cipher.AEAD, error) {
	k := sha256.Sum256(append([]byte("assay partner key seal\x00"), secret...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, fmt.Errorf("seal cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

// seal encrypts a key for storage: the completion callback needs it back.
func seal(secret []byte, key string) ([]byte, error) {
	g, err := aead(secret)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return g.Seal(nonce, nonce, []byte(key), nil), nil
}

// unseal decrypts a stored key.
func unseal(secret, sealed []byte) (string, error) {
	g, err := aead(secret)
	if err != nil {
		return "", err
	}
	if len(sealed) < g.NonceSize() {
		return "", errors.New("unseal: too short")
	}
	key, err := g.Open(nil, sealed[:g.NonceSize()], sealed[g.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("unseal (was ASSAY_SECRET_KEY changed? rotate the Greenhouse key): %w", err)
	}
	return string(key), nil
}
