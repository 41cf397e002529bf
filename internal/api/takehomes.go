package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// An organisation's own take-homes: created from a bundle (a zip uploaded as
// the body, or a repository fetched as a candidate's is), versioned, each
// version checked by grading its reference solution and flawed variants.

func (a *api) registerTakehomes(staff *gin.RouterGroup, anyone, recruiters gin.HandlerFunc) {
	staff.GET("/takehomes", anyone, a.takehomes)
	staff.GET("/custom-takehomes", anyone, a.listCustomTakehomes)
	staff.POST("/custom-takehomes", recruiters, a.createCustomTakehome)
	staff.GET("/custom-takehomes/:id", anyone, a.getCustomTakehome)
	staff.POST("/custom-takehomes/:id/versions", recruiters, a.addCustomTakehomeVersion)
	staff.GET("/custom-takehomes/:id/versions/:number", anyone, a.getCustomTakehomeVersion)
	staff.GET("/custom-takehomes/:id/versions/:number/bundle", recruiters, a.getCustomTakehomeBundle)
}

// bundleRoutes take a zip as their body, so their limit is the bundle's.
var bundleRoutes = map[string]bool{"/api/v1/custom-takehomes": true, "/api/v1/custom-takehomes/:id/versions": true}

// takehomes is the catalogue: the built-in take-homes and the
// organisation's own issuable ones.
func (a *api) takehomes(c *gin.Context) {
	ths, err := a.Catalog.ForOrg(c.Request.Context(), a.Store, auth.Current(c).OrgID)
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, ths, "")
}

func (a *api) listCustomTakehomes(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		respondError(c, err)
		return
	}
	rows, next, err := a.Store.Takehomes(c.Request.Context(), auth.Current(c).OrgID, p)
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, rows, next)
}

type repoBundleRequest struct {
	RepoURL string `json:"repo_url"`
	Ref     string `json:"ref"`
}

// readBundle reads the version a request sends: a zip body
// (Content-Type: application/zip) or {"repo_url", "ref"} as JSON.
func (a *api) readBundle(c *gin.Context) (string, *store.TakehomeVersion, error) {
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch ct {
	case "application/zip", "application/octet-stream":
		zip, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return "", nil, err
		}
		return rules.TakehomeUpload(zip)
	case "application/json":
		// Only a zip needs the bundle's limit.
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes)
		var req repoBundleRequest
		if err := decode(c, &req); err != nil {
			return "", nil, err
		}
		return rules.TakehomeFromRepo(c.Request.Context(), a.Intake, a.FetchBundle, req.RepoURL, req.Ref)
	}
	return "", nil, badRequest("send the bundle as a zip (Content-Type: application/zip) or {\"repo_url\", \"ref\"} as JSON")
}

// respondBundleError is respondError plus, for a bundle that did not load,
// its problems one per line with their places.
func respondBundleError(c *gin.Context, err error) {
	if problems := rules.Problems(err); problems != nil {
		status, msg := rules.Status(err)
		c.AbortWithStatusJSON(status, gin.H{"error": msg, "problems": problems})
		return
	}
	respondError(c, err)
}

func (a *api) createCustomTakehome(c *gin.Context) {
	slug, v, err := a.readBundle(c)
	if err != nil {
		respondBundleError(c, err)
		return
	}
	if _, builtin := a.Catalog.Takehome(slug); builtin {
		respondError(c, fmt.Errorf("%w: %q is a built-in take-home; give the bundle another slug", store.ErrConflict, slug))
		return
	}
	th, err := a.Store.CreateTakehome(c.Request.Context(), actor(c), slug, v)
	if err != nil {
		respondError(c, err)
		return
	}
	slog.Info("custom take-home created", "takehome", th.ID, "slug", slug)
	c.JSON(http.StatusCreated, th)
}

func (a *api) addCustomTakehomeVersion(c *gin.Context) {
	// The take-home is looked up first: another organisation's id is 404
	// before anything of the body is read or fetched.
	ctx, org := c.Request.Context(), auth.Current(c).OrgID
	if _, _, err := a.Store.Takehome(ctx, org, c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	slug, v, err := a.readBundle(c)
	if err != nil {
		respondBundleError(c, err)
		return
	}
	if err := a.Store.AddTakehomeVersion(ctx, actor(c), c.Param("id"), slug, v); err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (a *api) getCustomTakehome(c *gin.Context) {
	th, versions, err := a.Store.Takehome(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"takehome": th, "versions": versions})
}

// version reads the version the route names, of the caller's organisation.
func (a *api) version(c *gin.Context) (*store.TakehomeVersion, error) {
	n, err := strconv.Atoi(c.Param("number"))
	if err != nil || n < 1 {
		return nil, fmt.Errorf("version %q: %w", c.Param("number"), store.ErrNotFound)
	}
	return a.Store.TakehomeVersion(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"), n)
}

// getCustomTakehomeVersion shows a version with its verdict table (the
// report: one row per solution graded, each unexpected verdict) and, when
// it cannot be issued, why in one line.
func (a *api) getCustomTakehomeVersion(c *gin.Context) {
	v, err := a.version(c)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// getCustomTakehomeBundle serves a version's bundle as stored: it holds the
// reference solution, so only those who manage take-homes get it.
func (a *api) getCustomTakehomeBundle(c *gin.Context) {
	v, err := a.version(c)
	if err != nil {
		respondError(c, err)
		return
	}
	full, err := a.Store.TakehomeBundle(c.Request.Context(), auth.Current(c).OrgID, v.ID)
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="takehome-%s-v%d.zip"`, v.TakehomeID[:8], v.Number))
	c.Data(http.StatusOK, "application/zip", full.Bundle)
}

// pinFor resolves the take-home an assessment is asked of: a built-in slug
// (no version may be named), or the organisation's own take-home at the
// version asked for or its newest issuable one. A version that cannot be
// issued is a conflict saying why.
func (a *api) pinFor(c *gin.Context, slug string, number *int) (suiteVersion string, versionID *string, err error) {
	if th, ok := a.Catalog.Takehome(slug); ok {
		if number != nil {
			return "", nil, badRequest("takehome_version applies only to your organisation's own take-homes")
		}
		return th.Version, nil, nil
	}
	pin, err := a.Store.IssuableVersion(c.Request.Context(), auth.Current(c).OrgID, slug, deref(number, 0))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, badRequest("unknown takehome %q; GET /api/v1/takehomes lists them", slug)
	}
	if err != nil {
		return "", nil, err
	}
	return pin.SuiteVersion, &pin.VersionID, nil
}

// bundleBody is the body limit of a bundle route: the bundle's, plus room
// for nothing else (the body is the zip).
func bundleBody(c *gin.Context) (int64, bool) {
	if c.Request.Method == http.MethodPost && bundleRoutes[c.FullPath()] {
		return rules.MaxBundleBytes, true
	}
	return 0, false
}
