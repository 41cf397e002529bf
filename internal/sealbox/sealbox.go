// Package sealbox encrypts the few secrets Assay must read back (webhook signing
// secrets, partner API keys) for storage, with AES-256-GCM under a key derived from
// the platform's secret key (ASSAY_SECRET_KEY) and a label per use, so a copy of the
// database alone does not give them away and no two uses share a key.
package sealbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Box seals and opens under one derived key.
type Box struct {
	aead cipher.AEAD
}

// New derives the key for label from secret.
func New(secret []byte, label string) (*Box, error) {
	if len(secret) == 0 {
		return nil, errors.New("sealbox: no secret key")
	}
	k := sha256.Sum256(append([]byte(label+"\x00"), secret...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, fmt.Errorf("sealbox: %w", err)
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sealbox: %w", err)
	}
	return &Box{aead: g}, nil
}

// Seal encrypts plain: a random nonce, then the ciphertext and its tag.
func (b *Box) Seal(plain []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return b.aead.Seal(nonce, nonce, plain, nil)
}

// ErrOpen means sealed was not sealed by this box: another secret key (was
// ASSAY_SECRET_KEY changed?), another label, or altered bytes.
var ErrOpen = errors.New("sealbox: cannot open (was ASSAY_SECRET_KEY changed?)")

// Open decrypts what Seal made.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
