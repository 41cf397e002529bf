package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// The dashboard's session is the API's: the same JWT in the assay_session
// cookie, so signing in on either signs in on both.

type loginData struct {
	Email, Next, Error string
}

func (s *server) home(c *gin.Context) {
	if p := s.principal(c); p != nil {
		c.Redirect(http.StatusSeeOther, homeOf(p.Role))
		return
	}
	c.Redirect(http.StatusSeeOther, "/login")
}

func homeOf(role string) string {
	if role == store.RoleReviewer {
		return "/submissions"
	}
	return "/assessments"
}

func (s *server) loginPage(c *gin.Context) {
	s.render(c, http.StatusOK, "login", "Sign in", loginData{Next: s.safeNext(c.Query("next"))})
}

func (s *server) login(c *gin.Context) {
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	password := c.PostForm("password")
	d := loginData{Email: email, Next: s.safeNext(c.PostForm("next"))}
	if email == "" || password == "" {
		d.Error = "Enter your email and password."
		s.render(c, http.StatusBadRequest, "login", "Sign in", d)
		return
	}
	issued, err := s.sessions.SignIn(c.Request.Context(), c.ClientIP(), email, password)
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		c.Header("Retry-After", strconv.Itoa(throttled.Seconds()))
		d.Error = "Too many sign-in attempts; try again in " + strconv.Itoa(throttled.Seconds()) + " seconds."
		s.render(c, http.StatusTooManyRequests, "login", "Sign in", d)
		return
	case errors.Is(err, auth.ErrWrongPassword):
		d.Error = "Wrong email or password."
		s.render(c, http.StatusUnauthorized, "login", "Sign in", d)
		return
	case errors.Is(err, auth.ErrBusy), errors.Is(err, auth.ErrUnavailable):
		c.Header("Retry-After", "5")
		d.Error = "Signing in is not possible for a moment; try again in a few seconds."
		s.render(c, http.StatusServiceUnavailable, "login", "Sign in", d)
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	s.setSession(c, issued.Token, int(time.Until(issued.ExpiresAt).Seconds()))
	next := d.Next
	if next == "" {
		next = homeOf(issued.User.Role)
	}
	c.Redirect(http.StatusSeeOther, next)
}

// logout ends the session server-side, so a copy of the cookie stops
// working too, and clears the cookie.
func (s *server) logout(c *gin.Context) {
	raw, _ := c.Cookie(auth.CookieName)
	if err := s.sessions.SignOut(c.Request.Context(), raw); err != nil {
		s.fail(c, err)
		return
	}
	s.setSession(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}

func (s *server) setSession(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: auth.CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.SecureCookie, SameSite: http.SameSiteLaxMode})
}

// principal reads the session cookie; nil when absent, expired, ended, or
// the user is gone or disabled (a disabled user loses access at once). A
// session older than half its life is renewed, so someone at work is not
// signed out mid-review; one left idle for TokenTTL ends, and an ended
// one is never renewed.
func (s *server) principal(c *gin.Context) *auth.Principal {
	raw, err := c.Cookie(auth.CookieName)
	if err != nil || raw == "" {
		return nil
	}
	cl, err := s.Tokens.Verify(raw)
	if err != nil {
		return nil
	}
	p, err := s.sessions.Principal(c.Request.Context(), cl)
	if err != nil {
		return nil
	}
	if cl.IssuedAt != nil && time.Since(cl.IssuedAt.Time) > auth.TokenTTL/2 {
		if issued, err := s.sessions.Renew(c.Request.Context(), p); err == nil {
			s.setSession(c, issued.Token, int(time.Until(issued.ExpiresAt).Seconds()))
		}
	}
	return p
}

// session admits signed-in staff and sends others to the sign-in page,
// coming back here afterwards.
func (s *server) session(c *gin.Context) {
	p := s.principal(c)
	if p == nil {
		next := c.Request.URL.Path
		if c.Request.Method != http.MethodGet {
			next = ""
		} else if c.Request.URL.RawQuery != "" {
			next += "?" + c.Request.URL.RawQuery
		}
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
		c.Abort()
		return
	}
	// auth.Current reads the principal under this key, so handlers use
	// the same accessor as the API's.
	c.Set("assay.principal", p)
	c.Next()
}

// allow lets through only the given roles.
func (s *server) allow(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p := auth.Current(c); p == nil || !slices.Contains(roles, p.Role) {
			s.render(c, http.StatusForbidden, "error", "Not allowed", errorPage{Status: http.StatusForbidden,
				Message: "Your role may not open this page."})
			c.Abort()
			return
		}
		c.Next()
	}
}

// actor is the store's view of the signed-in user.
func actor(c *gin.Context) store.Actor {
	p := auth.Current(c)
	return store.Actor{OrgID: p.OrgID, UserID: p.UserID, Label: "user:" + p.Email}
}
