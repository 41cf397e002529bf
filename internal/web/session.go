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
	s.render(c, http.StatusOK, "login", "Sign in", loginData{Next: safeNext(c.Query("next"))})
}

func (s *server) login(c *gin.Context) {
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	password := c.PostForm("password")
	d := loginData{Email: email, Next: safeNext(c.PostForm("next"))}
	if email == "" || password == "" {
		d.Error = "Enter your email and password."
		s.render(c, http.StatusBadRequest, "login", "Sign in", d)
		return
	}
	if ok, wait := s.Throttle.Allow(c.ClientIP(), email); !ok {
		secs := int(wait.Seconds()) + 1
		c.Header("Retry-After", strconv.Itoa(secs))
		d.Error = "Too many sign-in attempts; try again in " + strconv.Itoa(secs) + " seconds."
		s.render(c, http.StatusTooManyRequests, "login", "Sign in", d)
		return
	}
	u, err := s.Store.UserByEmail(c.Request.Context(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.fail(c, err)
		return
	}
	if u == nil {
		auth.EqualiseTiming(password)
	}
	if u == nil || u.Disabled || !auth.CheckPassword(u.PasswordHash, password) {
		d.Error = "Wrong email or password."
		s.render(c, http.StatusUnauthorized, "login", "Sign in", d)
		return
	}
	token, exp, err := s.Tokens.Issue(u.ID, u.OrgID, u.Role)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setSession(c, token, int(time.Until(exp).Seconds()))
	next := d.Next
	if next == "" {
		next = homeOf(u.Role)
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *server) logout(c *gin.Context) {
	s.setSession(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}

func (s *server) setSession(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: auth.CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.SecureCookie, SameSite: http.SameSiteLaxMode})
}

// safeNext keeps a post-login redirect on this site: a local path, never
// "//host" or a full URL.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return ""
	}
	return next
}

// principal reads the session cookie; nil when absent, expired, or the
// user is gone or disabled (a disabled user loses access at once). A
// session older than half its life is renewed, so someone at work is not
// signed out mid-review; one left idle for TokenTTL ends.
func (s *server) principal(c *gin.Context) *auth.Principal {
	raw, err := c.Cookie(auth.CookieName)
	if err != nil || raw == "" {
		return nil
	}
	cl, err := s.Tokens.Verify(raw)
	if err != nil {
		return nil
	}
	u, err := s.Store.User(c.Request.Context(), cl.OrgID, cl.Subject)
	if err != nil || u.Disabled {
		return nil
	}
	if cl.IssuedAt != nil && time.Since(cl.IssuedAt.Time) > auth.TokenTTL/2 {
		if token, exp, err := s.Tokens.Issue(u.ID, u.OrgID, u.Role); err == nil {
			s.setSession(c, token, int(time.Until(exp).Seconds()))
		}
	}
	return &auth.Principal{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, Email: u.Email}
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
