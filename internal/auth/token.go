package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	issuer   = "assay"
	audience = "assay-api"
	// TokenTTL is how long a staff session lasts unless renewed.
	TokenTTL = time.Hour
)

// Claims are what a staff token says about its holder.
type Claims struct {
	OrgID string `json:"org"`
	Role  string `json:"role"`
	jwt.RegisteredClaims
}

// Tokens issues and verifies staff JWTs (HS256 with the secret key).
type Tokens struct {
	key []byte
	now func() time.Time
}

// NewTokens makes a token issuer for the secret key.
func NewTokens(key []byte) *Tokens { return &Tokens{key: key, now: time.Now} }

// Issue makes a token for a user's session (its id is the token's jti),
// valid until exp.
func (t *Tokens) Issue(sessionID, userID, orgID, role string, exp time.Time) (string, error) {
	now := t.now()
	c := Claims{OrgID: orgID, Role: role, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: issuer, Audience: jwt.ClaimStrings{audience}, Subject: userID, ID: sessionID,
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp),
	}}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// ErrBadToken is any token that does not prove who its holder is.
var ErrBadToken = errors.New("invalid or expired token")

// Verify checks signature, algorithm (HS256 only: "none" and every other
// algorithm are refused), issuer, audience and expiry. Whether its session
// is still live is the Loader's question.
func (t *Tokens) Verify(raw string) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer), jwt.WithAudience(audience),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(t.now), jwt.WithLeeway(5*time.Second))
	if err != nil || c.Subject == "" || c.OrgID == "" || c.ID == "" {
		return nil, ErrBadToken
	}
	return &c, nil
}
