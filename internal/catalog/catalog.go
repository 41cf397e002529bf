// Package catalog is the list of take-homes assessments are made from, as
// both front ends (the API and the dashboard) read it: the built-in suites
// (cmd fills it from graders.All; tests fill it with suites of their own)
// and, beside them, each organisation's own take-homes whose current
// version passed its check (read from the store per request).
package catalog

import (
	"context"
	"fmt"
	"io/fs"
	"sort"

	"github.com/assayhq/assay/internal/store"
)

// Takehome is one take-home as the platform shows it.
type Takehome struct {
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	Version string `json:"suite_version"`
	Brief   string `json:"brief"` // Markdown
	// Starter is the starter kit, served zipped to candidates; nil for none
	// (and for an organisation's own take-home, whose kit is in its bundle).
	Starter fs.FS `json:"-"`
	// Custom marks an organisation's own take-home; VersionID and
	// VersionNumber are the version an assessment made now would pin.
	Custom        bool   `json:"custom"`
	VersionID     string `json:"version_id,omitempty"`
	VersionNumber int    `json:"version_number,omitempty"`
}

// Catalog is the built-in take-homes, by slug.
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
	sortBySlug(c.sorted)
	return c
}

func sortBySlug(ths []Takehome) {
	sort.Slice(ths, func(i, j int) bool { return ths[i].Slug < ths[j].Slug })
}

// Takehomes lists the built-in take-homes by slug.
func (c *Catalog) Takehomes() []Takehome { return c.sorted }

// Takehome returns the built-in take-home with this slug.
func (c *Catalog) Takehome(slug string) (Takehome, bool) {
	th, ok := c.bySlug[slug]
	return th, ok
}

// Custom is where an organisation's own take-homes are read (the store).
type Custom interface {
	IssuableTakehomes(ctx context.Context, orgID string) ([]store.IssuableTakehome, error)
	PinnedTakehome(ctx context.Context, orgID, versionID string) (*store.IssuableTakehome, error)
}

// ForOrg lists what an organisation may make assessments of: the built-in
// take-homes and its own issuable ones, by slug. A custom take-home whose
// slug a built-in one took since is left out (new ones cannot take it).
func (c *Catalog) ForOrg(ctx context.Context, custom Custom, orgID string) ([]Takehome, error) {
	own, err := custom.IssuableTakehomes(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	out := append([]Takehome(nil), c.sorted...)
	for _, th := range own {
		if _, builtin := c.bySlug[th.Slug]; !builtin {
			out = append(out, fromStore(&th))
		}
	}
	sortBySlug(out)
	return out, nil
}

// OfAssessment is the take-home an assessment grades with, as its candidates
// see it: the pinned version of the organisation's own take-home, or the
// built-in one. ok is false for a built-in take-home this binary lacks.
func (c *Catalog) OfAssessment(ctx context.Context, custom Custom, as *store.Assessment) (Takehome, bool, error) {
	if as.TakehomeVersionID == nil {
		th, ok := c.bySlug[as.Takehome]
		return th, ok, nil
	}
	pin, err := custom.PinnedTakehome(ctx, as.OrgID, *as.TakehomeVersionID)
	if err != nil {
		return Takehome{}, false, fmt.Errorf("take-home of assessment %s: %w", as.ID, err)
	}
	return fromStore(pin), true, nil
}

func fromStore(th *store.IssuableTakehome) Takehome {
	return Takehome{Slug: th.Slug, Title: th.Title, Version: th.SuiteVersion, Brief: th.Brief,
		Custom: true, VersionID: th.VersionID, VersionNumber: th.Number}
}
