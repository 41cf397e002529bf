package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	assets "github.com/assayhq/assay/web"
	"github.com/gin-gonic/gin"
)

// pages holds one template set per page: the layout and the partials,
// plus the page's own "content".
type pages struct {
	byName   map[string]*template.Template
	partials *template.Template
}

var funcs = template.FuncMap{
	"when": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.UTC().Format("2006-01-02 15:04 UTC")
		case *time.Time:
			if v != nil {
				return v.UTC().Format("2006-01-02 15:04 UTC")
			}
		}
		return "—"
	},
	"iso": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	},
	"num": func(p *int) string {
		if p == nil {
			return "—"
		}
		return fmt.Sprint(*p)
	},
	"label":    func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	"finished": store.Finished,
	"limit":    limit,
	"inc":      func(i int) int { return i + 1 },
	// mean shows a rubric mean to one decimal, "—" before anyone scored.
	"mean": func(f float64) string {
		if f == 0 {
			return "—"
		}
		return strconv.FormatFloat(f, 'f', 1, 64)
	},
	// percent shows a share of 0 to 1 as a whole percentage.
	"percent": func(f float64) string { return strconv.Itoa(int(f*100+0.5)) + " %" },
}

// limit gives the forms' maxlength and max attributes the rules' limits
// (the server checks them all the same).
func limit(name string) (int, error) {
	n, ok := map[string]int{"name": rules.MaxNameRunes, "text": rules.MaxTextBytes, "hours": rules.MaxHours,
		"attempts": rules.MaxAttempts, "description": rules.MaxDescriptionBytes,
		"criterion": rules.MaxCriterionRunes, "level": rules.MaxLevelRunes}[name]
	if !ok {
		return 0, fmt.Errorf("no limit %q", name)
	}
	return n, nil
}

func loadPages() (*pages, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(assets.FS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	files, err := fs.Glob(assets.FS, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	p := &pages{byName: map[string]*template.Template{}, partials: base}
	for _, f := range files {
		t, err := template.Must(base.Clone()).ParseFS(assets.FS, f)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		p.byName[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return p, nil
}

// view is what every page template gets: who is signed in, the CSRF token
// for its forms, and the page's own data in Data.
type view struct {
	Title   string
	User    *auth.Principal
	CSRF    string
	Notices []string // development switches that are on, shown on every page
	Data    any
}

// render executes a page into a buffer first, so a template error is a
// clean 500 rather than half a page.
func (s *server) render(c *gin.Context, status int, name, title string, data any) {
	t, ok := s.pages.byName[name]
	if !ok {
		panic("no page template " + name)
	}
	v := view{Title: title, User: auth.Current(c), CSRF: s.csrfToken(c), Notices: s.Notices, Data: data}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		slog.Error("render page", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error; it has been logged")
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// fragment renders a partial alone, for htmx to swap in.
func (s *server) fragment(c *gin.Context, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.partials.ExecuteTemplate(&buf, name, data); err != nil {
		slog.Error("render fragment", "fragment", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error; it has been logged")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

// broken words a rules error for a form: the field's label and the rule it
// breaks ("Hours must be from 1 to 720.").
func broken(label string, err error) string { return sentence(brokenRule(label, err)) }

// brokenRule is broken as a phrase, for a list ("the email must be ...").
func brokenRule(label string, err error) string {
	var e *rules.Error
	if errors.As(err, &e) {
		return label + " " + e.Rule
	}
	return rules.Message(err)
}

// check puts under key what err says is wrong with a field, if anything.
func check(errs map[string]string, key, label string, err error) {
	if err != nil {
		errs[key] = broken(label, err)
	}
}
