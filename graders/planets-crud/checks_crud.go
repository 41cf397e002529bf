package planetscrud

import (
	"context"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strings"

	"github.com/assayhq/assay/internal/grading"
)

// Planets the grader creates; their names never collide with generated ones.
var (
	alpha  = Planet{Name: "Grader Planet Alpha", Population: ptr(123456789), Terrains: []string{"tundra", "lakes"}, Climates: []string{"frozen"}}
	beta   = Planet{Name: "Grader Planet Beta", Terrains: []string{}, Climates: []string{}}
	doomed = Planet{Name: "Grader Planet Doomed", Population: ptr(1), Terrains: []string{"caves"}, Climates: []string{"murky"}}
	ghost  = Planet{Name: "Grader Planet Ghost", Population: ptr(2), Terrains: []string{}, Climates: []string{}}
)

// invalidBodies are refused by a careful service with 400 or 422.
var invalidBodies = []struct{ why, body string }{
	{"no name", `{"population": 5, "terrains": [], "climates": []}`},
	{"empty name", `{"name": "", "population": 5}`},
	{"negative population", `{"name": "Grader Invalid Negative", "population": -1}`},
	{"population as text", `{"name": "Grader Invalid Text", "population": "many"}`},
	{"fractional population", `{"name": "Grader Invalid Fraction", "population": 1.5}`},
	{"terrains not an array", `{"name": "Grader Invalid Terrains", "terrains": "desert"}`},
	{"malformed JSON", `{"name": "Grader Invalid JSON",`},
}

func body(p Planet) map[string]any {
	return map[string]any{"name": p.Name, "population": p.Population, "terrains": p.Terrains, "climates": p.Climates}
}

func (r *run) crudChecks(ctx context.Context) {
	r.createCheck(ctx, "crud.create", alpha, &r.created)
	var b *apiPlanet
	r.createCheck(ctx, "crud.create_defaults", beta, &b)
	r.createValidationCheck(ctx)
	r.getCheck()
	r.updateChecks(ctx)
	r.deleteCheck(ctx)
	missing := r.missingID()
	r.notFoundCheck("crud.get_404", "get", http.MethodGet, missing, nil)
	r.notFoundCheck("crud.update_404", "update", http.MethodPut, missing, body(ghost))
	r.notFoundCheck("crud.delete_404", "delete", http.MethodDelete, missing, nil)
	r.malformedCheck()
}

// answerPlanet reads a 2xx answer that should be the planet want.
func (r *run) answerPlanet(c *grading.C, resp *grading.Response, what string, want Planet) *apiPlanet {
	var v any
	if err := resp.JSON(&v); err != nil {
		c.Failf("%s answered something that is not JSON; answer the stored planet as JSON", what)
		return nil
	}
	p := parsePlanet(v)
	if p.Problem != "" {
		c.Failf("%s: %s", what, p.Problem)
		return nil
	}
	if d := diff(want, p); d != "" {
		c.Failf("%s answered a planet with %s; answer the stored planet", what, d)
		return nil
	}
	r.jsonAnswers = append(r.jsonAnswers, resp)
	return &p
}

// stored checks through GET /planets (when it works) that a planet is there
// with the given values.
func (r *run) stored(ctx context.Context, c *grading.C, id string, want Planet, what string) bool {
	if !r.routeOK["list"] {
		return true // crud.list already fails; do not charge the same flaw twice
	}
	list, resp, err := r.listPlanets(ctx)
	c.Keep(resp)
	if err != nil {
		c.Failf("after %s, %v", what, err)
		return false
	}
	got := byID(list, id)
	if got == nil {
		c.Failf("after %s, planet %s is not in GET /planets; store it", what, id)
		return false
	}
	if d := diff(want, *got); d != "" {
		c.Failf("after %s, GET /planets shows planet %s with %s; store what was sent", what, id, d)
		return false
	}
	return true
}

func (r *run) createCheck(ctx context.Context, id string, p Planet, out **apiPlanet) {
	r.g.Check(id, func(c *grading.C) {
		sent := body(p)
		if id == "crud.create_defaults" {
			sent = map[string]any{"name": p.Name, "population": nil}
		}
		resp, err := c.Do(r.svc, http.MethodPost, "/planets", sent)
		if err != nil {
			c.Failf("POST /planets got no answer: %v", err)
			return
		}
		if resp.Status != http.StatusCreated {
			c.Failf("POST /planets answered %d for the valid planet %s; answer 201 with the stored planet", resp.Status, jsonText(sent))
			return
		}
		got := r.answerPlanet(c, resp, "POST /planets", p)
		if got == nil || !r.stored(ctx, c, got.ID, p, "POST /planets") {
			return
		}
		r.routeOK["create"] = true
		r.expect[got.ID] = p
		*out = got
	})
}

func (r *run) createValidationCheck(ctx context.Context) {
	r.g.Check("crud.create_validation", func(c *grading.C) {
		if !r.routeOK["create"] {
			c.Failf("POST /planets never created a valid planet (see crud.create), so its refusals cannot count")
			return
		}
		for _, b := range invalidBodies {
			if !r.refused(c, http.MethodPost, "/planets", b.why, b.body) {
				return
			}
		}
		if !r.routeOK["list"] {
			return
		}
		list, resp, err := r.listPlanets(ctx)
		c.Keep(resp)
		if err != nil {
			c.Failf("after the invalid POSTs, %v", err)
			return
		}
		for _, p := range list {
			if strings.HasPrefix(p.Name, "Grader Invalid") {
				c.Failf("POST /planets refused %q but stored it anyway; store nothing when the body is invalid", p.Name)
				return
			}
		}
	})
}

// refused sends an invalid body and expects 400 or 422.
func (r *run) refused(c *grading.C, method, path, why, raw string) bool {
	resp, err := c.Do(r.svc, method, path, raw)
	if err != nil {
		c.Failf("%s %s got no answer for an invalid body (%s): %v", method, path, why, err)
		return false
	}
	if resp.Status != http.StatusBadRequest && resp.Status != http.StatusUnprocessableEntity {
		c.Failf("%s %s answered %d for an invalid body (%s): %s; answer 400 or 422", method, path, resp.Status, why, raw)
		return false
	}
	r.errorAnswers = append(r.errorAnswers, resp)
	return true
}

// target picks the imported ordinary planet at index i, or the planet the
// grader created when the import gave none.
func (r *run) target(i int) (string, Planet, bool) {
	if ord := r.ordinaryPlanets(); i < len(ord) {
		if got := r.imported(ord[i].Name); got != nil && got.ID != "" {
			return got.ID, ord[i], true
		}
	}
	if r.created != nil {
		return r.created.ID, r.expect[r.created.ID], false
	}
	return "", Planet{}, false
}

func (r *run) getCheck() {
	r.g.Check("crud.get", func(c *grading.C) {
		id, want, _ := r.target(2)
		if id == "" {
			c.Failf("no planet to ask for: neither the import nor POST /planets stored one")
			return
		}
		path := planetPath(id)
		resp, err := c.Do(r.svc, http.MethodGet, path, nil)
		if err != nil {
			c.Failf("GET %s got no answer: %v", path, err)
			return
		}
		if resp.Status != http.StatusOK {
			c.Failf("GET %s answered %d for planet %q, listed by GET /planets; answer 200 with the planet", path, resp.Status, want.Name)
			return
		}
		if r.answerPlanet(c, resp, "GET "+path, want) != nil {
			r.routeOK["get"] = true
		}
	})
}

func (r *run) updateChecks(ctx context.Context) {
	id, old, imported := r.target(0)
	edit := Planet{Name: old.Name, Population: ptr(1_234_567), Terrains: []string{"reefs", "glaciers"}, Climates: []string{"windy"}}
	r.g.Check("crud.update", func(c *grading.C) {
		if id == "" {
			c.Failf("no planet to update: neither the import nor POST /planets stored one")
			return
		}
		path := planetPath(id)
		resp, err := c.Do(r.svc, http.MethodPut, path, body(edit))
		if err != nil {
			c.Failf("PUT %s got no answer: %v", path, err)
			return
		}
		if resp.Status != http.StatusOK {
			c.Failf("PUT %s answered %d for an existing planet and a valid body; answer 200 with the stored planet", path, resp.Status)
			return
		}
		got := r.answerPlanet(c, resp, "PUT "+path, edit)
		if got == nil || !r.stored(ctx, c, id, edit, "PUT "+path) {
			return
		}
		r.routeOK["update"] = true
		r.expect[id] = edit
		if imported {
			r.edited = got
		}
	})
	r.g.Check("crud.update_validation", func(c *grading.C) {
		if !r.routeOK["update"] {
			c.Failf("PUT /planets/{id} never updated a planet (see crud.update), so its refusals cannot count")
			return
		}
		path := planetPath(id)
		for _, b := range invalidBodies[1:3] {
			if !r.refused(c, http.MethodPut, path, b.why, b.body) {
				return
			}
		}
		r.stored(ctx, c, id, edit, "the refused PUTs")
	})
}

func (r *run) deleteCheck(ctx context.Context) {
	r.g.Check("crud.delete", func(c *grading.C) {
		id, victim, imported := r.target(1)
		if !imported && r.routeOK["create"] {
			// No imported planet to delete: delete one of the grader's own.
			resp, err := r.svc.Do(ctx, http.MethodPost, "/planets", body(doomed))
			c.Keep(resp)
			var v any
			if err != nil || resp.Status != http.StatusCreated || resp.JSON(&v) != nil {
				c.Failf("no planet to delete: POST /planets did not create one")
				return
			}
			id, victim = parsePlanet(v).ID, doomed
		}
		if id == "" {
			c.Failf("no planet to delete: neither the import nor POST /planets stored one")
			return
		}
		path := planetPath(id)
		resp, err := c.Do(r.svc, http.MethodDelete, path, nil)
		if err != nil {
			c.Failf("DELETE %s got no answer: %v", path, err)
			return
		}
		if resp.Status != http.StatusNoContent && resp.Status != http.StatusOK {
			c.Failf("DELETE %s answered %d for an existing planet; answer 204 (or 200)", path, resp.Status)
			return
		}
		if r.routeOK["list"] {
			list, lr, err := r.listPlanets(ctx)
			c.Keep(lr)
			if err != nil {
				c.Failf("after DELETE %s, %v", path, err)
				return
			}
			if byID(list, id) != nil {
				c.Failf("DELETE %s answered %d but GET /planets still lists planet %q; delete it from the database", path, resp.Status, victim.Name)
				return
			}
		}
		r.routeOK["delete"] = true
		r.deletedID = id
		if imported {
			r.deleted = &victim
		}
	})
}

// missingID is an id of the same shape as the service's ids that no planet
// has: integers get one far above the largest, UUIDs and hex ids a made-up
// one of the same length, anything else the id of the planet just deleted.
func (r *run) missingID() string {
	var ids []string
	for _, p := range r.listing {
		if p.ID != "" {
			ids = append(ids, p.ID)
		}
	}
	if r.created != nil {
		ids = append(ids, r.created.ID)
	}
	if len(ids) == 0 {
		return r.deletedID
	}
	max, allInts := new(big.Int), true
	hexLen, allHex := len(ids[0]), true
	for _, id := range ids {
		n, ok := new(big.Int).SetString(id, 10)
		if !ok {
			allInts = false
		} else if n.Cmp(max) > 0 {
			max = n
		}
		if len(id) != hexLen || !hexID.MatchString(id) {
			allHex = false
		}
	}
	switch {
	case allInts:
		return max.Add(max, big.NewInt(1_000_000)).String()
	case uuidID.MatchString(ids[0]):
		return fmt.Sprintf("00000000-0000-4000-8000-%012x", uint64(r.g.Seed())&0xffffffffffff)
	case allHex:
		s := fmt.Sprintf("%0*x", hexLen, uint64(r.g.Seed()))
		return s[len(s)-hexLen:]
	}
	return r.deletedID
}

var (
	uuidID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	hexID  = regexp.MustCompile(`^[0-9a-fA-F]+$`)
)

// notFoundCheck expects 404 for a missing planet, counted only when the same
// route answered 2xx for an existing one (contract §4).
func (r *run) notFoundCheck(id, route, method, missing string, sent any) {
	r.g.Check(id, func(c *grading.C) {
		if !r.routeOK[route] {
			c.Failf("%s /planets/{id} never answered 2xx for an existing planet (see crud.%s), so its 404 cannot count", method, route)
			return
		}
		if missing == "" {
			c.Failf("no id known to be missing could be made from the service's ids")
			return
		}
		path := planetPath(missing)
		resp, err := c.Do(r.svc, method, path, sent)
		if err != nil {
			c.Failf("%s %s got no answer: %v", method, path, err)
			return
		}
		if resp.Status != http.StatusNotFound {
			c.Failf("%s %s answered %d for a planet that does not exist; answer 404", method, path, resp.Status)
			return
		}
		r.errorAnswers = append(r.errorAnswers, resp)
	})
}

func (r *run) malformedCheck() {
	r.g.Check("crud.get_malformed", func(c *grading.C) {
		if !r.routeOK["get"] {
			c.Failf("GET /planets/{id} never answered 200 for an existing planet (see crud.get), so its answer to a malformed id cannot count")
			return
		}
		const path = "/planets/abc"
		resp, err := c.Do(r.svc, http.MethodGet, path, nil)
		if err != nil {
			c.Failf("GET %s got no answer: %v", path, err)
			return
		}
		if resp.Status != http.StatusBadRequest && resp.Status != http.StatusNotFound {
			c.Failf("GET /planets/{id} answered %d for id %q; answer 400 or 404 for a malformed id", resp.Status, "abc")
			return
		}
		r.errorAnswers = append(r.errorAnswers, resp)
	})
}
