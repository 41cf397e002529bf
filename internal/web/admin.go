package web

import (
	"cmp"
	"net/http"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

type usersData struct {
	Users  []store.User
	Self   string
	Roles  []string
	Form   userForm
	Notice string
}

type userForm struct {
	Email, Role string
	Error       string
}

func (s *server) usersPage(c *gin.Context, status int, form userForm, notice string) {
	p := auth.Current(c)
	us, err := s.Store.Users(c.Request.Context(), p.OrgID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if form.Role == "" {
		form.Role = store.RoleReviewer
	}
	s.render(c, status, "users", "Users", usersData{Users: us, Self: p.UserID, Roles: rules.Staff, Form: form, Notice: notice})
}

func (s *server) users(c *gin.Context) { s.usersPage(c, http.StatusOK, userForm{}, "") }

func (s *server) createUser(c *gin.Context) {
	f := userForm{Email: strings.ToLower(strings.TrimSpace(c.PostForm("email"))), Role: c.PostForm("role")}
	if err := cmp.Or(rules.Email("email", f.Email), rules.Role(f.Role)); err != nil {
		f.Error = sentence(err.Error())
	}
	var hash string
	if f.Error == "" {
		var err error
		if hash, err = auth.HashPassword(c.PostForm("password")); err != nil {
			f.Error = sentence(err.Error())
		}
	}
	if f.Error != "" {
		s.usersPage(c, http.StatusUnprocessableEntity, f, "")
		return
	}
	u := store.User{Email: f.Email, Role: f.Role, PasswordHash: hash}
	if err := s.Store.CreateUser(c.Request.Context(), actor(c), &u); err != nil {
		if status, msg := rules.Status(err); status == http.StatusConflict {
			f.Error = sentence(msg)
			s.usersPage(c, status, f, "")
			return
		}
		s.fail(c, err)
		return
	}
	s.usersPage(c, http.StatusCreated, userForm{}, "Created "+u.Email+".")
}

// updateUser changes a role or the disabled flag. Admins cannot demote or
// disable themselves: an organisation must not lock its last admin out.
func (s *server) updateUser(c *gin.Context) {
	role, disabled := c.PostForm("role"), c.PostForm("disabled") == "on"
	if err := rules.Role(role); err != nil {
		s.usersPage(c, http.StatusUnprocessableEntity, userForm{}, sentence(err.Error()))
		return
	}
	if c.Param("id") == auth.Current(c).UserID && (role != store.RoleAdmin || disabled) {
		s.usersPage(c, http.StatusUnprocessableEntity, userForm{}, "You cannot demote or disable yourself; ask another admin.")
		return
	}
	u, err := s.Store.UpdateUser(c.Request.Context(), actor(c), c.Param("id"), &role, &disabled)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.usersPage(c, http.StatusOK, userForm{}, "Saved "+u.Email+".")
}

type mailData struct {
	Mail        []store.Mail
	Next        string
	MailEnabled bool
}

// mailOutbox lists the organisation's mail: without SMTP, what would have
// been sent, bodies included.
func (s *server) mailOutbox(c *gin.Context) {
	rows, next, err := s.Store.MailOutbox(c.Request.Context(), auth.Current(c).OrgID, store.Page{Limit: 50, Cursor: c.Query("cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "mail", "Mail", mailData{Mail: rows, Next: next, MailEnabled: s.MailEnabled})
}
