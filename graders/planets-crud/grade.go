package planetscrud

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/assayhq/assay/internal/grading"
)

// importWait bounds how long the grader waits for an import that is still
// running when the service already answers: it polls, it never sleeps blind.
const importWait = 5 * time.Second

// run is the state one grading run shares between its checks.
type run struct {
	g    *grading.Grader
	svc  *grading.Service
	data []Planet

	listing     []apiPlanet // GET /planets once the import was judged
	firstImport []apiPlanet // the generated planets in that listing
	dataByName  map[string]Planet

	// Planets the restart checks look for, and what each id should hold.
	created, edited *apiPlanet
	deleted         *Planet
	deletedID       string
	expect          map[string]Planet

	// routeOK says which routes answered 2xx for an existing planet: a 404 or
	// 400 from a route only counts when the route exists (contract §4).
	routeOK map[string]bool

	jsonAnswers  []*grading.Response // 2xx answers with a body, for http.content_type
	errorAnswers []*grading.Response // expected 4xx answers, for http.error_json
}

func grade(ctx context.Context, g *grading.Grader) error {
	r := &run{g: g, data: Generate(g.Seed()), routeOK: map[string]bool{}, expect: map[string]Planet{}, dataByName: map[string]Planet{}}
	for _, p := range r.data {
		r.dataByName[p.Name] = p
	}
	ep := NewEndpoint(r.data, 0)
	svc, err := g.Start(ctx, grading.StartOptions{Endpoints: map[string]http.Handler{"PLANETS_GRAPHQL_URL": ep}})
	if err != nil {
		return err // the first start: the runner reports start_failed
	}
	r.svc = svc
	r.importChecks(ctx, ep)
	r.schemaCheck(ctx)
	r.crudChecks(ctx)
	r.restartChecks(ctx)
	if err := svc.Stop(ctx); err != nil {
		return fmt.Errorf("stop the service: %w", err)
	}
	if err := r.resilienceCheck(ctx); err != nil {
		return err
	}
	r.qualityChecks()
	return nil
}

// listPlanets asks GET /planets and reads the answer.
func (r *run) listPlanets(ctx context.Context) ([]apiPlanet, *grading.Response, error) {
	resp, err := r.svc.Do(ctx, http.MethodGet, "/planets", nil)
	if err != nil {
		return nil, resp, err
	}
	if resp.Status != http.StatusOK {
		return nil, resp, fmt.Errorf("GET /planets answered %d; answer 200 with a JSON array of planets", resp.Status)
	}
	var v any
	if err := resp.JSON(&v); err != nil {
		return nil, resp, fmt.Errorf("GET /planets did not answer JSON; answer a JSON array of planets")
	}
	list, err := parsePlanets(v)
	return list, resp, err
}

// byName counts the planets of a listing by name.
func byName(list []apiPlanet) map[string][]apiPlanet {
	m := map[string][]apiPlanet{}
	for _, p := range list {
		m[p.Name] = append(m[p.Name], p)
	}
	return m
}

func byID(list []apiPlanet, id string) *apiPlanet {
	for i := range list {
		if list[i].ID == id {
			return &list[i]
		}
	}
	return nil
}

// planetPath is the route of one planet; ids are opaque, so escaped.
func planetPath(id string) string { return "/planets/" + url.PathEscape(id) }

// ordinaryPlanets are the generated planets with nothing special about them,
// in data-set order: the restart checks edit and delete these, so that a flaw
// in large populations or empty arrays does not leak into them.
func (r *run) ordinaryPlanets() []Planet {
	var out []Planet
	for _, p := range r.data {
		if p.kind() == ordinary {
			out = append(out, p)
		}
	}
	return out
}

// imported finds a generated planet in the listing by name.
func (r *run) imported(name string) *apiPlanet {
	for i := range r.listing {
		if r.listing[i].Name == name {
			return &r.listing[i]
		}
	}
	return nil
}
