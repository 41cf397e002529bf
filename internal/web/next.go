package web

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"
)

// pageRoutes are the dashboard's GET routes ("/assessments/:id"): where
// sign-in may send someone back to.
type pageRoutes [][]string

// newPageRoutes keeps the GET routes r gained since before (the routes it
// had when the dashboard started registering).
func newPageRoutes(r *gin.Engine, before gin.RoutesInfo) pageRoutes {
	had := map[string]bool{}
	for _, ri := range before {
		had[ri.Method+" "+ri.Path] = true
	}
	var out pageRoutes
	for _, ri := range r.Routes() {
		if ri.Method == "GET" && !had[ri.Method+" "+ri.Path] && !strings.Contains(ri.Path, "*") {
			out = append(out, strings.Split(ri.Path, "/"))
		}
	}
	return out
}

// match reports whether path is one of the routes, a ":param" matching
// any one non-empty segment.
func (pr pageRoutes) match(path string) bool {
	segs := strings.Split(path, "/")
	for _, route := range pr {
		if len(route) == len(segs) && matchSegments(route, segs) {
			return true
		}
	}
	return false
}

func matchSegments(route, segs []string) bool {
	for i, r := range route {
		if strings.HasPrefix(r, ":") && segs[i] != "" {
			continue
		}
		if r != segs[i] {
			return false
		}
	}
	return true
}

// safeNext keeps a post-sign-in redirect on a page of this dashboard: a
// path of one of its routes, with an optional query. Browsers drop tabs
// and newlines and read "\" as "/" before resolving a URL, so
// "/\t/evil.example" is "//evil.example", another host: any control
// character, space or backslash is refused outright rather than cleaned.
func (s *server) safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !s.routes.match(u.Path) {
		return ""
	}
	return next
}
