// Package auth signs staff in: passwords, JWTs, sessions, the login
// throttle, and the gin middleware that checks tokens and roles on every
// route.
package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLength is the shortest password accepted for a staff account.
const MinPasswordLength = 10

// HashPassword hashes a password with bcrypt. Only admins and the command
// line hash, so it does not queue for a bcrypt slot as sign-in does.
func HashPassword(pw string) (string, error) {
	if len(pw) < MinPasswordLength {
		return "", fmt.Errorf("password must be at least %d characters", MinPasswordLength)
	}
	if len(pw) > 72 {
		return "", errors.New("password must be at most 72 bytes (bcrypt's limit)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// ErrBusy is a password check that waited for a free core until its
// request gave up.
var ErrBusy = errors.New("the server is busy checking passwords; try again shortly")

// ErrUnavailable is a sign-in that could not be throttled (the shared
// throttle's Redis is down): refused rather than let through unthrottled,
// and answered 503 like ErrBusy, since a retry soon may succeed.
var ErrUnavailable = errors.New("sign-in is unavailable for a moment; try again shortly")

// bcryptSlots bounds the process's sign-in bcrypt work to one compare per
// core: a burst of sign-ins queues (each for as long as its request lasts)
// instead of taking every core from the pages everyone else is using.
var bcryptSlots = make(chan struct{}, runtime.NumCPU())

// CheckPassword reports whether pw matches hash, once a bcrypt slot is
// free; ErrBusy when ctx ends first.
func CheckPassword(ctx context.Context, hash, pw string) (bool, error) {
	select {
	case bcryptSlots <- struct{}{}:
	case <-ctx.Done():
		return false, fmt.Errorf("%w (%v)", ErrBusy, ctx.Err())
	}
	defer func() { <-bcryptSlots }()
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil, nil
}

// dummyHash is compared against when the email is unknown, so a login for a
// missing account takes as long as one with a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("assay-timing-equaliser"), bcrypt.DefaultCost)

// equaliseTiming spends the time a password check would.
func equaliseTiming(ctx context.Context, pw string) error {
	_, err := CheckPassword(ctx, string(dummyHash), pw)
	return err
}
