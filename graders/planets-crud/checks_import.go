package planetscrud

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/grading"
)

// importChecks judge the first import and GET /planets itself.
func (r *run) importChecks(ctx context.Context, ep *Endpoint) {
	list, resp, err := r.awaitImport(ctx, func(l []apiPlanet) bool { return r.incomplete(l, nil) == "" })
	r.listing = list
	for _, p := range list {
		if _, ok := r.dataByName[p.Name]; ok && p.Name != "" {
			r.firstImport = append(r.firstImport, p)
		}
	}
	r.g.Check("crud.list", func(c *grading.C) {
		c.Keep(resp)
		switch {
		case err != nil:
			c.Failf("%v", err)
		case shapeProblem(list) != "":
			c.Failf("GET /planets: %s", shapeProblem(list))
		default:
			r.routeOK["list"] = true
			r.jsonAnswers = append(r.jsonAnswers, resp)
		}
	})
	r.g.Check("import.complete", func(c *grading.C) {
		c.Keep(resp)
		c.Evidence("graphql_requests", ep.Requests())
		if err != nil {
			c.Failf("the import could not be checked: %v", err)
			return
		}
		if msg := r.incomplete(list, c); msg != "" {
			c.Failf("%s", msg)
		}
	})
	r.valueCheck("import.values", "planets", func(p Planet) bool { return p.kind() == ordinary }, diff, err)
	r.valueCheck("import.large_population", "planets with a population above 2^31", func(p Planet) bool { return p.kind() == large },
		func(want Planet, got apiPlanet) string {
			if d := diffPopulation(want, got); d != "" {
				return d + " (store population in a 64-bit column such as bigint)"
			}
			return ""
		}, err)
	r.valueCheck("import.null_population", "planets with an unknown population", func(p Planet) bool { return p.kind() == nullPopulation },
		func(want Planet, got apiPlanet) string {
			if d := diffPopulation(want, got); d != "" {
				return d + " (keep an unknown population as null, not 0)"
			}
			return ""
		}, err)
	r.valueCheck("import.empty_arrays", "planets with empty or [\"unknown\"] terrains or climates",
		func(p Planet) bool {
			return len(p.Terrains) == 0 || len(p.Climates) == 0 || isUnknown(p.Terrains) || isUnknown(p.Climates)
		},
		func(want Planet, got apiPlanet) string {
			if d := diffArrays(want, got); d != "" {
				return d + " (keep the arrays exactly as imported: [] stays [])"
			}
			return ""
		}, err)
}

// awaitImport lists the planets until done says the import is complete or
// importWait has passed: a service may still be importing when it first answers.
func (r *run) awaitImport(ctx context.Context, done func([]apiPlanet) bool) ([]apiPlanet, *grading.Response, error) {
	deadline := time.Now().Add(importWait)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		list, resp, err := r.listPlanets(ctx)
		if err == nil && done(list) || time.Now().After(deadline) {
			return list, resp, err
		}
		select {
		case <-ctx.Done():
			return list, resp, err
		case <-tick.C:
		}
	}
}

// incomplete says what is missing, extra or doubled in the listing compared
// with the data set, or "" when every planet is there exactly once.
func (r *run) incomplete(list []apiPlanet, c *grading.C) string {
	got := byName(list)
	var missing, doubled []string
	for _, p := range r.data {
		switch n := len(got[p.Name]); {
		case n == 0:
			missing = append(missing, p.Name)
		case n > 1:
			doubled = append(doubled, p.Name)
		}
	}
	if c != nil {
		c.Evidence("planets_served", len(r.data))
		c.Evidence("planets_listed", len(list))
		c.Evidence("missing", missing)
		c.Evidence("listed_more_than_once", doubled)
	}
	switch {
	case len(missing) > 0:
		return fmt.Sprintf("GET /planets lacks %d of the %d planets served by PLANETS_GRAPHQL_URL (e.g. %q); import every planet of data.allPlanets.planets",
			len(missing), len(r.data), missing[0])
	case len(doubled) > 0:
		return fmt.Sprintf("GET /planets lists %d planets more than once (e.g. %q); import each planet once", len(doubled), doubled[0])
	}
	return ""
}

// valueCheck compares the imported planets that match with what was served;
// planets missing from the listing are import.complete's concern, except
// that none at all to compare fails the check.
func (r *run) valueCheck(id, what string, match func(Planet) bool, compare func(Planet, apiPlanet) string, listErr error) {
	r.g.Check(id, func(c *grading.C) {
		if listErr != nil {
			c.Failf("the import could not be checked: %v", listErr)
			return
		}
		got := byName(r.listing)
		var wrong []string
		compared, absent := 0, []string{}
		for _, want := range r.data {
			if !match(want) {
				continue
			}
			found := got[want.Name]
			if len(found) == 0 {
				absent = append(absent, want.Name)
				continue
			}
			compared++
			if d := compare(want, found[0]); d != "" {
				wrong = append(wrong, fmt.Sprintf("planet %q: %s", want.Name, d))
			}
		}
		c.Evidence("compared", compared)
		c.Evidence("differences", wrong)
		// A large population lost to a 32-bit column usually loses the whole
		// planet: for that check a missing planet is a wrong value.
		if id == "import.large_population" && len(absent) > 0 {
			c.Evidence("missing", absent)
			c.Failf("%d planets with a population above 2^31 are missing (e.g. %q); store population in a 64-bit column such as bigint", len(absent), absent[0])
			return
		}
		switch {
		case len(wrong) > 0:
			c.Failf("%d of %d %s differ from the import: %s", len(wrong), compared, what, wrong[0])
		case compared == 0:
			c.Failf("none of the imported %s is in GET /planets, so their values could not be compared", what)
		}
	})
}

// shapeProblem is the first planet in a listing that is not shaped as the
// contract says.
func shapeProblem(list []apiPlanet) string {
	for _, p := range list {
		if p.Problem != "" {
			return p.Problem
		}
	}
	return ""
}
