package web

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"sync"

	"github.com/assayhq/assay/internal/catalog"
	"github.com/gin-gonic/gin"
)

// starterCache zips each take-home's starter kit once: the kits are
// embedded in the binary and never change while it runs.
type starterCache struct {
	catalog *catalog.Catalog
	mu      sync.Mutex
	zips    map[string][]byte
}

func newStarterCache(c *catalog.Catalog) *starterCache {
	return &starterCache{catalog: c, zips: map[string][]byte{}}
}

func (s *starterCache) get(slug string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if z, ok := s.zips[slug]; ok {
		return z, true, nil
	}
	th, ok := s.catalog.Takehome(slug)
	if !ok || th.Starter == nil {
		return nil, false, nil
	}
	kit := th.Starter
	z, err := zipFS(kit, slug+"-starter/")
	if err != nil {
		return nil, false, fmt.Errorf("zip starter kit of %s: %w", slug, err)
	}
	s.zips[slug] = z
	return z, true, nil
}

// zipFS writes every file of fsys into a zip under prefix.
func zipFS(fsys fs.FS, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: prefix + path, Method: zip.Deflate})
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// starterZip serves a take-home's starter kit; it is not secret (every
// candidate gets it), so it needs no token.
func (s *server) starterZip(c *gin.Context) {
	slug := c.Param("slug")
	z, ok, err := s.starters.get(slug)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !ok {
		c.String(http.StatusNotFound, "no such take-home")
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+slug+`-starter.zip"`)
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "application/zip", z)
}
