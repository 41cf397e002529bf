package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
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
	if ok, wait := a.Throttle.Allow(c.ClientIP(), email); !ok {
		secs := int(wait.Seconds()) + 1
		c.Header("Retry-After", strconv.Itoa(secs))
		c.AbortWithStatusJSON(http.StatusTooManyRequests, gin.H{"error": "too many sign-in attempts; try again in " + strconv.Itoa(secs) + " seconds"})
		return
	}
	u, err := a.Store.UserByEmail(c.Request.Context(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		respondError(c, err)
		return
	}
	if u == nil {
		auth.EqualiseTiming(req.Password)
	}
	if u == nil || u.Disabled || !auth.CheckPassword(u.PasswordHash, req.Password) {
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "wrong email or password"})
		return
	}
	token, exp, err := a.Tokens.Issue(u.ID, u.OrgID, u.Role)
	if err != nil {
		respondError(c, err)
		return
	}
	a.setSessionCookie(c, token, int(time.Until(exp).Seconds()))
	c.JSON(http.StatusOK, gin.H{"token": token, "expires_at": exp.UTC(), "user": u})
}

func (a *api) logout(c *gin.Context) {
	a.setSessionCookie(c, "", -1)
	c.Status(http.StatusNoContent)
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
