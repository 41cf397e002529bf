package graders

import "testing"

// Every built-in take-home is listed under its own slug and declares checks
// the engine accepts (a bundle's problems would have stopped the package's
// initialisation already).
func TestAllSuitesValid(t *testing.T) {
	for _, slug := range []string{"planets-crud", "shopping-list", "webhook-receiver"} {
		s := All[slug]
		if s == nil {
			t.Errorf("%s is not in All", slug)
			continue
		}
		if s.Slug != slug {
			t.Errorf("All[%q] is the suite of %q", slug, s.Slug)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", slug, err)
		}
	}
}
