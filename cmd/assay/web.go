package main

import (
	"io/fs"

	"github.com/assayhq/assay/graders"
	"github.com/assayhq/assay/internal/web"
)

// webCatalog exposes the built-in take-homes and their starter kits to the
// dashboard, as catalog does to the API.
type webCatalog struct{}

func (webCatalog) Takehomes() []web.Takehome {
	var out []web.Takehome
	for _, th := range (catalog{}).Takehomes() {
		out = append(out, web.Takehome{Slug: th.Slug, Title: th.Title, Version: th.Version, Brief: th.Brief})
	}
	return out
}

func (webCatalog) Takehome(slug string) (web.Takehome, bool) {
	th, ok := catalog{}.Takehome(slug)
	return web.Takehome{Slug: th.Slug, Title: th.Title, Version: th.Version, Brief: th.Brief}, ok
}

func (webCatalog) Starter(slug string) (fs.FS, bool) {
	s, ok := graders.All[slug]
	if !ok || s.Starter == nil {
		return nil, false
	}
	return s.Starter, true
}
