// Package catalog is the list of take-homes assessments are made from, as
// both front ends (the API and the dashboard) read it. cmd fills it from the
// built-in suites (graders.All); tests fill it with suites of their own.
package catalog

import (
	"io/fs"
	"sort"
)

// Takehome is one take-home as the platform shows it.
type Takehome struct {
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	Version string `json:"suite_version"`
	Brief   string `json:"brief"` // Markdown
	// Starter is the starter kit, served zipped to candidates; nil for none.
	Starter fs.FS `json:"-"`
}

// Catalog is a fixed set of take-homes, by slug.
type Catalog struct {
	bySlug map[string]Takehome
	sorted []Takehome
}

// New makes a catalogue of the take-homes given; a later one with the same
// slug replaces an earlier.
func New(takehomes ...Takehome) *Catalog {
	c := &Catalog{bySlug: map[string]Takehome{}}
	for _, th := range takehomes {
		c.bySlug[th.Slug] = th
	}
	for _, th := range c.bySlug {
		c.sorted = append(c.sorted, th)
	}
	sort.Slice(c.sorted, func(i, j int) bool { return c.sorted[i].Slug < c.sorted[j].Slug })
	return c
}

// Takehomes lists the take-homes by slug.
func (c *Catalog) Takehomes() []Takehome { return c.sorted }

// Takehome returns the take-home with this slug.
func (c *Catalog) Takehome(slug string) (Takehome, bool) {
	th, ok := c.bySlug[slug]
	return th, ok
}
