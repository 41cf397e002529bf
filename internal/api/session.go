package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/auth"
	"github.com/gin-gonic/gin"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (a *api) login(c *gin.Context) {
	var req loginRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if email == "" || req.Password == "" {
		respondError(c, badRequest("email and password are required"))
		return
	}
	issued, err := a.sessions.SignIn(c.Request.Context(), c.ClientIP(), email, req.Password)
	if err != nil {
		a.signInFailed(c, err)
		return
	}
	a.setSessionCookie(c, issued.Token, int(time.Until(issued.ExpiresAt).Seconds()))
	c.JSON(http.StatusOK, gin.H{"token": issued.Token, "expires_at": issued.ExpiresAt.UTC(), "user": issued.User})
}

// signInFailed answers a refused password check: throttled (429), wrong
// (401), bcrypt queue full (503), or a server error.
func (a *api) signInFailed(c *gin.Context, err error) {
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		c.Header("Retry-After", strconv.Itoa(throttled.Seconds()))
		c.AbortWithStatusJSON(http.StatusTooManyRequests, gin.H{"error": throttled.Error()})
	case errors.Is(err, auth.ErrWrongPassword):
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": auth.ErrWrongPassword.Error()})
	case errors.Is(err, auth.ErrBusy):
		c.Header("Retry-After", "5")
		c.AbortWithStatusJSON(http.StatusServiceUnavailable, gin.H{"error": auth.ErrBusy.Error()})
	case errors.Is(err, auth.ErrUnavailable):
		c.Header("Retry-After", "5")
		c.AbortWithStatusJSON(http.StatusServiceUnavailable, gin.H{"error": auth.ErrUnavailable.Error()})
	default:
		respondError(c, err)
	}
}

// logout ends the session of the token sent (header or cookie), so the
// token stops working at once, and clears the cookie.
func (a *api) logout(c *gin.Context) {
	raw := auth.BearerToken(c.Request)
	if raw == "" {
		raw, _ = c.Cookie(auth.CookieName)
	}
	if err := a.sessions.SignOut(c.Request.Context(), raw); err != nil {
		respondError(c, err)
		return
	}
	a.setSessionCookie(c, "", -1)
	c.Status(http.StatusNoContent)
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword sets the caller's password; every session of the user
// ends, and the answer carries a new token for this one.
func (a *api) changePassword(c *gin.Context) {
	var req changePasswordRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	issued, err := a.sessions.ChangePassword(c.Request.Context(), c.ClientIP(), auth.Current(c), req.CurrentPassword, req.NewPassword)
	if errors.Is(err, auth.ErrWrongPassword) {
		respondError(c, badRequest("current_password is wrong"))
		return
	}
	if err != nil {
		a.signInFailed(c, err)
		return
	}
	a.setSessionCookie(c, issued.Token, int(time.Until(issued.ExpiresAt).Seconds()))
	c.JSON(http.StatusOK, gin.H{"token": issued.Token, "expires_at": issued.ExpiresAt.UTC()})
}

func (a *api) setSessionCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: auth.CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: a.SecureCookie, SameSite: http.SameSiteLaxMode,
	})
}

func (a *api) me(c *gin.Context) {
	p := auth.Current(c)
	c.JSON(http.StatusOK, gin.H{"id": p.UserID, "email": p.Email, "role": p.Role, "org_id": p.OrgID})
}
