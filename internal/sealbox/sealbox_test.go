package sealbox

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte("k"), 32)
	b, err := New(key, "webhook secret")
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.Seal([]byte("whsec_abc"))
	if bytes.Contains(sealed, []byte("whsec_abc")) {
		t.Fatal("the sealed bytes hold the secret")
	}
	if again := b.Seal([]byte("whsec_abc")); bytes.Equal(again, sealed) {
		t.Fatal("sealing twice gave the same bytes: the nonce is not random")
	}
	plain, err := b.Open(sealed)
	if err != nil || string(plain) != "whsec_abc" {
		t.Fatalf("open: %q %v", plain, err)
	}
	otherLabel, _ := New(key, "partner key")
	otherKey, _ := New(bytes.Repeat([]byte("x"), 32), "webhook secret")
	tampered := append([]byte{}, sealed...)
	tampered[len(tampered)-1] ^= 1
	for name, tc := range map[string]struct {
		box    *Box
		sealed []byte
	}{
		"another label": {otherLabel, sealed}, "another key": {otherKey, sealed},
		"altered": {b, tampered}, "too short": {b, sealed[:5]},
	} {
		if _, err := tc.box.Open(tc.sealed); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := New(nil, "x"); err == nil {
		t.Error("a box without a secret key")
	}
}
