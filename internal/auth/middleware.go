package auth

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// CookieName is the dashboard's session cookie; it holds the same JWT the
// login call returns.
const CookieName = "assay_session"

// Principal is the signed-in staff user a request acts for.
type Principal struct {
	UserID    string
	OrgID     string
	Role      string
	Email     string
	SessionID string
	// Operator runs the installation (see store.User.PlatformOperator).
	Operator bool
}

// Loader finds the current state of a token's user: a disabled or deleted
// user, or one whose role changed, must not keep an old token's powers.
type Loader func(ctx context.Context, c *Claims) (*Principal, error)

const principalKey = "assay.principal"

// Middleware admits requests that carry a valid staff token in the
// Authorization header or the session cookie; others get 401.
func Middleware(t *Tokens, load Loader) gin.HandlerFunc {
	return func(c *gin.Context) {
		raw := BearerToken(c.Request)
		if raw == "" {
			raw, _ = c.Cookie(CookieName)
		}
		if raw == "" {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "sign in first: no token"})
			return
		}
		claims, err := t.Verify(raw)
		if err != nil {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "invalid or expired token; sign in again"})
			return
		}
		p, err := load(c.Request.Context(), claims)
		if err != nil || p == nil {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "invalid or expired token; sign in again"})
			return
		}
		c.Set(principalKey, p)
		c.Next()
	}
}

// Require lets through only principals with one of the roles; others get 403.
func Require(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := Current(c)
		if p == nil || !slices.Contains(roles, p.Role) {
			c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"error": "your role may not do this"})
			return
		}
		c.Next()
	}
}

// RequireOperator lets through only platform operators; others get 403.
func RequireOperator(c *gin.Context) {
	if p := Current(c); p == nil || !p.Operator {
		c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"error": "only a platform operator may open this"})
		return
	}
	c.Next()
}

// Current is the request's principal, or nil before Middleware ran.
func Current(c *gin.Context) *Principal {
	v, ok := c.Get(principalKey)
	if !ok {
		return nil
	}
	return v.(*Principal)
}

// BearerToken reads "Authorization: Bearer X".
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
