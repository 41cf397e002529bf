package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/store"
)

// Sessions are server-side: each sign-in is a row of the sessions table
// and its id is the token's jti, checked on every request. A version
// number per user would be one column less, but it could only end all of
// a user's sessions at once; signing out of one browser must end that
// session alone, and a stolen token must stop working at sign-out. The
// check is one primary-key join with the user row each request already
// read, so there is no cache to go stale.
type Sessions struct {
	store    *store.Store
	tokens   *Tokens
	throttle *Throttle
}

// NewSessions signs staff in against st, issuing tokens and drawing
// attempts from throttle.
func NewSessions(st *store.Store, tokens *Tokens, throttle *Throttle) *Sessions {
	return &Sessions{store: st, tokens: tokens, throttle: throttle}
}

// Issued is a session's token.
type Issued struct {
	Token     string
	ExpiresAt time.Time
	User      *store.User
}

// ErrWrongPassword is a sign-in with an unknown email, a wrong password or
// a disabled account: which one is not said.
var ErrWrongPassword = errors.New("wrong email or password")

// ThrottledError is a sign-in over the throttle's limits.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many sign-in attempts; try again in %d seconds", e.Seconds())
}

// Seconds is how long to wait, rounded up, for Retry-After.
func (e *ThrottledError) Seconds() int { return int(e.Wait.Seconds()) + 1 }

// SignIn checks a password from addr and opens a session. Errors:
// *ThrottledError, ErrWrongPassword, ErrBusy, or a server error.
func (s *Sessions) SignIn(ctx context.Context, addr, email, password string) (*Issued, error) {
	ok, wait, err := s.throttle.Allow(ctx, addr, email)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &ThrottledError{Wait: wait}
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if u == nil {
		if err := equaliseTiming(ctx, password); err != nil {
			return nil, err
		}
		return nil, ErrWrongPassword
	}
	match, err := CheckPassword(ctx, u.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if !match || u.Disabled {
		return nil, ErrWrongPassword
	}
	if err := s.throttle.Succeeded(ctx, addr, email); err != nil {
		return nil, err
	}
	return s.Start(ctx, u)
}

// Start opens a session for u without a password: sign-in after the check,
// and tests.
func (s *Sessions) Start(ctx context.Context, u *store.User) (*Issued, error) {
	sess, err := s.store.StartSession(ctx, u, TokenTTL)
	if err != nil {
		return nil, err
	}
	return s.issue(sess, u)
}

func (s *Sessions) issue(sess *store.Session, u *store.User) (*Issued, error) {
	tok, err := s.tokens.Issue(sess.ID, u.ID, u.OrgID, u.Role, sess.ExpiresAt)
	if err != nil {
		return nil, err
	}
	return &Issued{Token: tok, ExpiresAt: sess.ExpiresAt, User: u}, nil
}

// Principal is the Loader: the token's session must be live and its user
// enabled; the role is the user's now, not the token's.
func (s *Sessions) Principal(ctx context.Context, c *Claims) (*Principal, error) {
	u, err := s.store.SessionUser(ctx, c.ID, c.OrgID, c.Subject)
	if err != nil {
		return nil, err
	}
	return &Principal{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, Email: u.Email, SessionID: c.ID,
		Operator: u.PlatformOperator}, nil
}

// Renew extends the principal's live session by TokenTTL from now and
// issues its new token; an ended session is ErrNotFound and stays ended.
func (s *Sessions) Renew(ctx context.Context, p *Principal) (*Issued, error) {
	sess, err := s.store.RenewSession(ctx, p.SessionID, TokenTTL)
	if err != nil {
		return nil, err
	}
	return s.issue(sess, &store.User{ID: p.UserID, OrgID: p.OrgID, Role: p.Role})
}

// SignOut ends the session of a token, if it is one of ours; any other
// value needs no ending.
func (s *Sessions) SignOut(ctx context.Context, raw string) error {
	c, err := s.tokens.Verify(raw)
	if err != nil {
		return nil
	}
	return s.store.EndSession(ctx, c.ID)
}

// ChangePassword sets the principal's password after checking the current
// one (throttled as sign-in is, so a stolen session cannot guess it fast),
// ends every session of the user (this one included) and opens a new one
// for the caller. A wrong current password is ErrWrongPassword.
func (s *Sessions) ChangePassword(ctx context.Context, addr string, p *Principal, current, next string) (*Issued, error) {
	ok, wait, err := s.throttle.Allow(ctx, addr, p.Email)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &ThrottledError{Wait: wait}
	}
	u, err := s.store.User(ctx, p.OrgID, p.UserID)
	if err != nil {
		return nil, err
	}
	match, err := CheckPassword(ctx, u.PasswordHash, current)
	if err != nil {
		return nil, err
	}
	if !match {
		return nil, ErrWrongPassword
	}
	hash, err := HashPassword(next)
	if err != nil {
		return nil, fmt.Errorf("%w: new_password: %s", store.ErrInvalid, err.Error())
	}
	if err := s.store.SetPassword(ctx, store.Actor{OrgID: u.OrgID, UserID: u.ID, Label: "user:" + u.Email}, u.ID, hash); err != nil {
		return nil, err
	}
	return s.Start(ctx, u)
}
