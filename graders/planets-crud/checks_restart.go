package planetscrud

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/assayhq/assay/internal/grading"
)

// restartChecks restart the service on the same database (release runs
// again) and look for duplicates, resurrections, lost edits and lost planets.
func (r *run) restartChecks(ctx context.Context) {
	before, _, beforeErr := r.listPlanets(ctx)
	err := r.svc.Restart(ctx)
	var se *grading.StartError
	r.g.Check("release.rerun", func(c *grading.C) {
		if errors.As(err, &se) && se.Phase == "release" {
			c.Failf("release failed when run a second time on the same database (%s); make release idempotent", se.Message)
		} else if err != nil && se == nil {
			c.Failf("the service could not be restarted: %v", err)
		}
	})
	if err != nil {
		for _, id := range []string{"import.once_after_restart", "restart.no_resurrection", "restart.edits_kept", "restart.persistence"} {
			r.g.Check(id, func(c *grading.C) {
				c.Failf("the service did not come back after a restart: %v", err)
			})
		}
		return
	}
	after, resp, afterErr := r.listPlanets(ctx)
	// A service keeping no table in PostgreSQL (memory, a SQLite file) loses
	// or rebuilds what it held when it restarts: each loss the restart checks
	// see is told that one cause, not advice about importing or seeding.
	outside := r.svc.NoTablesReason(ctx)
	remedy := func(advice string) string { return cmp.Or(outside, advice) }
	listed := func(c *grading.C) bool {
		c.Keep(resp)
		if afterErr != nil {
			c.Failf("after a restart, %v", afterErr)
			return false
		}
		return true
	}
	r.g.Check("import.once_after_restart", func(c *grading.C) {
		if !listed(c) {
			return
		}
		if beforeErr != nil {
			c.Failf("GET /planets did not list the planets before the restart (%v), so nothing could be compared", beforeErr)
			return
		}
		was, is := byName(before), byName(after)
		var again, gone []string
		for _, p := range r.data {
			if r.deleted != nil && p.Name == r.deleted.Name {
				continue // a deleted planet coming back is restart.no_resurrection's to judge
			}
			switch n, m := len(was[p.Name]), len(is[p.Name]); {
			case m > n:
				again = append(again, p.Name)
			case m < n:
				gone = append(gone, p.Name)
			}
		}
		c.Evidence("listed_before", len(before))
		c.Evidence("listed_after", len(after))
		c.Evidence("more_after_restart", again)
		c.Evidence("gone_after_restart", gone)
		switch {
		case len(again) > 0:
			c.Failf("after a restart GET /planets lists %d imported planets more often than before (e.g. %q); %s", len(again), again[0], remedy("import only into an empty database"))
		case len(gone) > 0:
			c.Failf("after a restart %d planets are gone (e.g. %q); %s", len(gone), gone[0], remedy("keep them in the database"))
		}
	})
	r.g.Check("restart.no_resurrection", func(c *grading.C) {
		if r.deleted == nil {
			c.Failf("no imported planet could be deleted before the restart (see crud.delete), so this could not be checked")
			return
		}
		if !listed(c) {
			return
		}
		if n := len(byName(after)[r.deleted.Name]); n > 0 {
			c.Failf("planet %q, deleted before the restart, is back after it; %s", r.deleted.Name, remedy("import only into an empty database"))
		}
	})
	r.keptCheck("restart.edits_kept", r.edited, "edited", after, listed, remedy)
	r.keptCheck("restart.persistence", r.created, "created", after, listed, remedy)
}

// keptCheck expects a planet to hold the same values after the restart.
func (r *run) keptCheck(id string, p *apiPlanet, what string, after []apiPlanet, listed func(*grading.C) bool, remedy func(string) string) {
	r.g.Check(id, func(c *grading.C) {
		if p == nil {
			c.Failf("no planet was %s before the restart (see the crud checks), so this could not be checked", what)
			return
		}
		if !listed(c) {
			return
		}
		want := r.expect[p.ID]
		got := byID(after, p.ID)
		if got == nil {
			c.Failf("planet %s (%q), %s before the restart, is gone after it; %s", p.ID, want.Name, what, remedy("keep it in the database"))
			return
		}
		if d := diff(want, *got); d != "" {
			c.Failf("planet %q, %s before the restart, has %s after it; %s", want.Name, what, d, remedy("never overwrite stored planets when the service starts"))
		}
	})
}

// resilienceCheck runs the service from zero on a fresh database where the
// endpoint answers the first request with 503.
func (r *run) resilienceCheck(ctx context.Context) error {
	ep := NewEndpoint(r.data, 1)
	svc, err := r.g.Start(ctx, grading.StartOptions{Endpoints: map[string]http.Handler{"PLANETS_GRAPHQL_URL": ep}})
	r.g.Check("resilience.retry_503", func(c *grading.C) {
		defer func() { c.Evidence("graphql_requests", ep.Requests()) }()
		if err != nil {
			c.Failf("on a fresh database, with PLANETS_GRAPHQL_URL answering the first request with 503, the service did not start (%v); retry the import when the endpoint answers 5xx", err)
			return
		}
		r.svc = svc
		list, resp, lerr := r.awaitImport(ctx, func(l []apiPlanet) bool { return len(r.lostSince(l)) == 0 })
		c.Keep(resp)
		if lerr != nil {
			c.Failf("on a fresh database, %v", lerr)
			return
		}
		// Judged against the first run's import, so that a flaw of the import
		// itself is not charged a second time here.
		lost := r.lostSince(list)
		c.Evidence("imported_first_run", len(r.firstImport))
		c.Evidence("listed", len(list))
		switch {
		case len(r.firstImport) == 0:
			c.Failf("the first run imported no planet, so the import after a 503 could not be compared with it")
		case len(lost) > 0:
			c.Failf("with PLANETS_GRAPHQL_URL answering the first request with 503, %d of the %d planets imported in the first run are missing (e.g. %q); retry the import when the endpoint answers 5xx",
				len(lost), len(r.firstImport), lost[0])
		}
	})
	if svc == nil {
		return nil
	}
	if err := svc.Stop(ctx); err != nil {
		return fmt.Errorf("stop the service after the resilience run: %w", err)
	}
	return nil
}

// lostSince names the planets of the first import that list lacks.
func (r *run) lostSince(list []apiPlanet) []string {
	now := byName(list)
	var lost []string
	for _, p := range r.firstImport {
		if len(now[p.Name]) == 0 {
			lost = append(lost, p.Name)
		}
	}
	return lost
}
