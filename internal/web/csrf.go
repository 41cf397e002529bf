package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/gin-gonic/gin"
)

// CSRF protection is a signed double-submit token. A random value lives in
// an HttpOnly cookie; every form carries HMAC-SHA256(secret key, value and
// the id of the session the browser is signed in with, if any). A forged
// cross-site post has the cookie (the browser sends it) but cannot read
// it, and without the secret cannot compute the matching form value. A
// cookie and token pair the attacker got for themselves and planted from
// a sibling domain was signed for their session (or none), not the
// victim's, so it fails too. It needs no
// server-side state, covers candidates (who have no session) as well as
// staff, and uses the secret key Assay already has. gorilla/csrf was the
// alternative: since 1.7.3 it assumes HTTPS and refuses plain-HTTP posts
// unless every request is marked as plaintext, which `make run` on
// http://127.0.0.1 would need wiring for, for the same guarantee.
const (
	csrfCookie = "assay_csrf"
	// csrfField is the form field that carries the token.
	csrfField  = "csrf_token"
	csrfCtxKey = "assay.csrf"
)

// csrf refuses a POST whose form token does not match its cookie.
func (s *server) csrf(c *gin.Context) {
	if c.Request.Method != http.MethodPost {
		c.Next()
		return
	}
	if err := parseForm(c.Request); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fail(c, err)
			return
		}
	}
	cookie, err := c.Cookie(csrfCookie)
	sent := c.PostForm(csrfField)
	if err != nil || cookie == "" || sent == "" || !hmac.Equal([]byte(sent), []byte(s.sign(cookie, s.sessionID(c)))) {
		if c.Request.Header.Get("HX-Request") != "" {
			c.String(http.StatusForbidden, "This form has expired; reload the page.")
			c.Abort()
			return
		}
		s.render(c, http.StatusForbidden, "error", "Form refused", errorPage{Status: http.StatusForbidden,
			Message: "This form was refused: its security token is missing or does not match. Reload the page and try again."})
		c.Abort()
		return
	}
	c.Next()
}

// csrfToken returns the token for this response's forms, setting the
// cookie on the first visit.
func (s *server) csrfToken(c *gin.Context) string {
	if v, ok := c.Get(csrfCtxKey); ok {
		return v.(string)
	}
	value, err := c.Cookie(csrfCookie)
	if err != nil || len(value) != 43 {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		value = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: value, Path: "/", HttpOnly: true,
			Secure: s.SecureCookie, SameSite: http.SameSiteLaxMode})
	}
	token := s.sign(value, s.sessionID(c))
	c.Set(csrfCtxKey, token)
	return token
}

// parseForm reads the body once, so a form over the size limit is told so
// (413) rather than refused as if its token were missing.
func parseForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(maxFormBytes)
	}
	return r.ParseForm()
}

// sign binds a cookie value to a session id ("" when signed out).
func (s *server) sign(value, sessionID string) string {
	m := hmac.New(sha256.New, s.SecretKey)
	m.Write([]byte("assay-csrf:" + value + ":" + sessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sessionID is the id of the session the request's cookie names, from its
// signed token alone: whether the session is still live is the session
// middleware's question, and a renewed token keeps its id, so forms stay
// valid across renewal.
func (s *server) sessionID(c *gin.Context) string {
	raw, err := c.Cookie(auth.CookieName)
	if err != nil || raw == "" {
		return ""
	}
	cl, err := s.Tokens.Verify(raw)
	if err != nil {
		return ""
	}
	return cl.ID
}
