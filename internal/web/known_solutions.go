package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/catalog"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// The admins' known solutions: public answers to a take-home, registered by
// repository URL and compared with every submission of it. The URL passes the
// policy a candidate's does (intake), and the similarity task fetches it
// through gitfetch.

type knownSolutionsData struct {
	Solutions []store.KnownSolution
	Takehomes []catalog.Takehome
	Form      knownSolutionForm
}

type knownSolutionForm struct {
	Takehome, URL string
	Error         string
}

func (s *server) knownSolutionsPage(c *gin.Context, status int, form knownSolutionForm) {
	list, err := s.Store.KnownSolutions(c.Request.Context(), auth.Current(c).OrgID, "")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, "known_solutions", "Known solutions", knownSolutionsData{Solutions: list, Takehomes: s.Catalog.Takehomes(), Form: form})
}

func (s *server) knownSolutions(c *gin.Context) {
	s.knownSolutionsPage(c, http.StatusOK, knownSolutionForm{})
}

func (s *server) addKnownSolution(c *gin.Context) {
	f := knownSolutionForm{Takehome: c.PostForm("takehome"), URL: strings.TrimSpace(c.PostForm("repo_url"))}
	refuse := func(msg string) { f.Error = msg; s.knownSolutionsPage(c, http.StatusUnprocessableEntity, f) }
	if _, ok := s.Catalog.Takehome(f.Takehome); !ok {
		refuse("Choose a take-home.")
		return
	}
	repo, err := s.Intake.RepoURL(f.URL)
	if err != nil {
		_, msg := rules.Status(err)
		refuse(sentence(msg))
		return
	}
	var unreachable *intake.Unreachable
	if err := s.Intake.Reachable(c.Request.Context(), repo, ""); errors.As(err, &unreachable) {
		refuse(sentence(unreachable.Reason))
		return
	}
	_, err = s.Store.AddKnownSolution(c.Request.Context(), actor(c), f.Takehome, repo)
	if errors.Is(err, store.ErrConflict) {
		refuse("This repository is already a known solution of that take-home.")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/known-solutions")
}

func (s *server) deleteKnownSolution(c *gin.Context) {
	if err := s.Store.DeleteKnownSolution(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/known-solutions")
}

func (s *server) refetchKnownSolution(c *gin.Context) {
	if _, err := s.Store.RefetchKnownSolution(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/known-solutions")
}
