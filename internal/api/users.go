package api

import (
	"net/http"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

func (a *api) listUsers(c *gin.Context) {
	us, err := a.Store.Users(c.Request.Context(), auth.Current(c).OrgID)
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, us, "")
}

type createUserRequest struct {
	Email    string `json:"email"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

func (a *api) createUser(c *gin.Context) {
	var req createUserRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	req.Email = strings.ToLower(strings.TrimSpace(req.Email))
	if err := rules.Email("email", req.Email); err != nil {
		respondError(c, err)
		return
	}
	if err := rules.Role(req.Role); err != nil {
		respondError(c, err)
		return
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		respondError(c, badRequest("%s", err.Error()))
		return
	}
	u := store.User{Email: req.Email, Role: req.Role, PasswordHash: hash}
	if err := a.Store.CreateUser(c.Request.Context(), actor(c), &u); err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}

type updateUserRequest struct {
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
}

func (a *api) updateUser(c *gin.Context) {
	var req updateUserRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if err := check(req.Role, rules.Role); err != nil {
		respondError(c, err)
		return
	}
	if c.Param("id") == auth.Current(c).UserID && (req.Role != nil && *req.Role != store.RoleAdmin || req.Disabled != nil && *req.Disabled) {
		respondError(c, badRequest("you cannot demote or disable yourself; ask another admin"))
		return
	}
	u, err := a.Store.UpdateUser(c.Request.Context(), actor(c), c.Param("id"), req.Role, req.Disabled)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (a *api) auditLog(c *gin.Context) {
	entries, err := a.Store.AuditLog(c.Request.Context(), auth.Current(c).OrgID, 100)
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, entries, "")
}
