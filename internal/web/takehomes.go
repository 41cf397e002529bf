package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/takehome"
	"github.com/gin-gonic/gin"
)

// An organisation's own take-homes: a bundle uploaded as a zip or fetched
// from a repository, a version per upload, and each version's verdict
// table once its reference solution and flawed variants were graded.

func (s *server) registerTakehomes(staff *gin.RouterGroup, anyone, recruiters gin.HandlerFunc) {
	staff.GET("/custom-takehomes", anyone, s.customTakehomes)
	staff.POST("/custom-takehomes", recruiters, s.createCustomTakehome)
	staff.GET("/custom-takehomes/:id", anyone, s.customTakehome)
	staff.POST("/custom-takehomes/:id/versions", recruiters, s.addCustomTakehomeVersion)
	staff.GET("/custom-takehomes/:id/versions/:number", anyone, s.customTakehomeVersion)
}

// bundleForms take a zip, so their body limit is the bundle's (and the form's).
var bundleForms = map[string]bool{"/custom-takehomes": true, "/custom-takehomes/:id/versions": true}

// bundleForm is the upload form: a zip, or a repository and ref, and what
// was wrong with the last one sent; Action, Submit and CSRF are the form's
// own (the partial "bundle_form" renders it).
type bundleForm struct {
	RepoURL, Ref         string
	Error                string
	Problems             []string // the bundle's problems, each at its line
	Action, Submit, CSRF string
}

type customTakehomesData struct {
	Takehomes []store.Takehome
	Next      string
	CanManage bool
	Form      bundleForm
}

func (s *server) customTakehomesPage(c *gin.Context, status int, form bundleForm) {
	p := auth.Current(c)
	rows, next, err := s.Store.Takehomes(c.Request.Context(), p.OrgID, store.Page{Limit: 100, Cursor: c.Query("cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	form.Action, form.Submit, form.CSRF = "/custom-takehomes", "Upload and check", s.csrfToken(c)
	s.render(c, status, "takehomes", "Take-homes", customTakehomesData{Takehomes: rows, Next: next,
		CanManage: rules.In(rules.Recruiters, p.Role), Form: form})
}

func (s *server) customTakehomes(c *gin.Context) {
	s.customTakehomesPage(c, http.StatusOK, bundleForm{})
}

// readBundle reads the form's bundle: the uploaded zip, else the repository.
// A bundle that does not load comes back in the form with its problems.
func (s *server) readBundle(c *gin.Context) (string, *store.TakehomeVersion, bundleForm, error) {
	f := bundleForm{RepoURL: strings.TrimSpace(c.PostForm("repo_url")), Ref: strings.TrimSpace(c.PostForm("ref"))}
	var slug string
	var v *store.TakehomeVersion
	var err error
	if fh, ferr := c.FormFile("bundle"); ferr == nil && fh.Size > 0 {
		slug, v, err = uploadedBundle(fh)
	} else if f.RepoURL != "" {
		slug, v, err = rules.TakehomeFromRepo(c.Request.Context(), s.Intake, s.FetchBundle, f.RepoURL, f.Ref)
	} else {
		err = fmt.Errorf("%w: choose a zip of the bundle, or give its repository", store.ErrInvalid)
	}
	return slug, v, f, err
}

func uploadedBundle(fh *multipart.FileHeader) (string, *store.TakehomeVersion, error) {
	file, err := fh.Open()
	if err != nil {
		return "", nil, fmt.Errorf("read upload: %w", err)
	}
	defer file.Close()
	zip, err := io.ReadAll(io.LimitReader(file, rules.MaxBundleBytes+1))
	if err != nil {
		return "", nil, fmt.Errorf("read upload: %w", err)
	}
	if len(zip) > rules.MaxBundleBytes {
		return "", nil, fmt.Errorf("%w: the zip is larger than %d MiB", store.ErrInvalid, rules.MaxBundleBytes>>20)
	}
	return rules.TakehomeUpload(zip)
}

// formError puts a client's error in the form, with the status to answer
// (a server error fails the page instead: ok is false).
func (s *server) formError(c *gin.Context, f *bundleForm, err error) (status int, ok bool) {
	status, msg := rules.Status(err)
	if status >= 500 {
		s.fail(c, err)
		return status, false
	}
	f.Error = sentence(msg)
	if f.Problems = rules.Problems(err); f.Problems != nil {
		f.Error = "The bundle does not load; fix these and upload it again:"
	}
	return status, true
}

func (s *server) createCustomTakehome(c *gin.Context) {
	slug, v, f, err := s.readBundle(c)
	if err == nil {
		if _, builtin := s.Catalog.Takehome(slug); builtin {
			err = fmt.Errorf("%w: %q is a built-in take-home; give the bundle another slug", store.ErrConflict, slug)
		}
	}
	var th *store.Takehome
	if err == nil {
		th, err = s.Store.CreateTakehome(c.Request.Context(), actor(c), slug, v)
	}
	if err != nil {
		if status, ok := s.formError(c, &f, err); ok {
			s.customTakehomesPage(c, status, f)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/custom-takehomes/"+th.ID)
}

type customTakehomeData struct {
	Takehome  store.Takehome
	Versions  []store.TakehomeVersion
	CanManage bool
	Form      bundleForm
}

func (s *server) customTakehomePage(c *gin.Context, status int, form bundleForm) {
	p := auth.Current(c)
	th, versions, err := s.Store.Takehome(c.Request.Context(), p.OrgID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	form.Action, form.Submit, form.CSRF = "/custom-takehomes/"+th.ID+"/versions", "Upload and check", s.csrfToken(c)
	s.render(c, status, "takehome", th.Title, customTakehomeData{Takehome: *th, Versions: versions,
		CanManage: rules.In(rules.Recruiters, p.Role), Form: form})
}

func (s *server) customTakehome(c *gin.Context) { s.customTakehomePage(c, http.StatusOK, bundleForm{}) }

func (s *server) addCustomTakehomeVersion(c *gin.Context) {
	// Another organisation's take-home is not found before anything is read or fetched.
	if _, _, err := s.Store.Takehome(c.Request.Context(), auth.Current(c).OrgID, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	slug, v, f, err := s.readBundle(c)
	if err == nil {
		err = s.Store.AddTakehomeVersion(c.Request.Context(), actor(c), c.Param("id"), slug, v)
	}
	if err != nil {
		if status, ok := s.formError(c, &f, err); ok {
			s.customTakehomePage(c, status, f)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/custom-takehomes/%s/versions/%d", c.Param("id"), v.Number))
}

type customVersionData struct {
	Takehome  store.Takehome
	Version   store.TakehomeVersion
	Report    *takehome.Report // nil until checked, or when the check could not run
	CanManage bool             // may make assessments of it
}

func (s *server) customTakehomeVersion(c *gin.Context) {
	ctx, org := c.Request.Context(), auth.Current(c).OrgID
	th, _, err := s.Store.Takehome(ctx, org, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	n, err := strconv.Atoi(c.Param("number"))
	if err != nil || n < 1 {
		s.fail(c, fmt.Errorf("version %q: %w", c.Param("number"), store.ErrNotFound))
		return
	}
	v, err := s.Store.TakehomeVersion(ctx, org, th.ID, n)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := customVersionData{Takehome: *th, Version: *v, CanManage: rules.In(rules.Recruiters, auth.Current(c).Role)}
	if len(v.Report) > 0 {
		d.Report = new(takehome.Report)
		if err := json.Unmarshal(v.Report, d.Report); err != nil {
			s.fail(c, fmt.Errorf("verdict table of version %d: %w", n, err))
			return
		}
	}
	s.render(c, http.StatusOK, "takehome_version", fmt.Sprintf("%s, version %d", th.Title, n), d)
}

// starterOf is the starter kit of the take-home an assessment grades with:
// a built-in one's, or the pinned bundle's (read from the assessment's own
// organisation); nil when there is none.
func (s *server) starterOf(ctx context.Context, as *store.Assessment) (fs.FS, error) {
	if as.TakehomeVersionID == nil {
		th, _ := s.Catalog.Takehome(as.Takehome)
		return th.Starter, nil
	}
	v, err := s.Store.TakehomeBundle(ctx, as.OrgID, *as.TakehomeVersionID)
	if err != nil {
		return nil, err
	}
	b, _, err := takehome.LoadZip(bytes.NewReader(v.Bundle), int64(len(v.Bundle)))
	if err != nil {
		return nil, fmt.Errorf("starter kit of %s version %d: %w", as.Takehome, v.Number, err)
	}
	return b.Starter, nil
}

// candidateStarter serves the starter kit of an organisation's own
// take-home to its candidates, through their own link (the kit is not
// public, as the built-in ones are).
func (s *server) candidateStarter(c *gin.Context) {
	token, ok := candidateToken(c)
	if !ok {
		s.candidateNotFound(c)
		return
	}
	v, err := s.Store.OpenInvitation(c.Request.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		s.candidateNotFound(c)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	kit, err := s.starterOf(c.Request.Context(), &v.Assessment)
	if err != nil {
		s.fail(c, err)
		return
	}
	if kit == nil {
		c.String(http.StatusNotFound, "this take-home has no starter kit")
		return
	}
	z, err := zipFS(kit, v.Assessment.Takehome+"-starter/")
	if err != nil {
		s.fail(c, fmt.Errorf("zip starter kit: %w", err))
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+v.Assessment.Takehome+`-starter.zip"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/zip", z)
}
