package shoppinglist

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/internal/grading"
)

// restarts is how many times the service is restarted on the same database
// (release rerun each time): twice tells "doubled once" from "doubled on
// every start" even for a service that doubles only on its second start.
const restarts = 2

// run holds what one grading run learnt, shared by the checks.
type run struct {
	g       *grading.Grader
	svc     *grading.Service
	sets    []dataSet // what the stored rows may come from, the expected one first (dataSets)
	cat     *catalog
	sch     *schema // nil when the tables were not found
	missing string  // why sch is nil
	outside bool    // no table at all: the data is kept outside PostgreSQL
	set     dataSet // the data set the stored rows come from
	first   *snapshot

	restartErr error     // the service did not come back after a restart
	restarted  *snapshot // after the restarts

	lists       []apiList         // GET /shopping-lists after the first start
	listResp    *grading.Response // its answer, kept as evidence
	listProblem string            // why lists is nil

	patched *patchTarget // the item the PATCH checks use, once PATCH answered 200
}

// grade drives one submission: first start, endpoints and PATCH, restarts,
// schema and data, then a from-zero run on a second empty database.
func grade(ctx context.Context, g *grading.Grader) error {
	starter, err := starterData()
	if err != nil {
		return err
	}
	r := &run{g: g, sets: dataSets(g, starter)}
	r.set = r.sets[0]
	// A failed first start is the runner's start_failed: every check not run.
	if r.svc, err = g.Start(ctx, grading.StartOptions{}); err != nil {
		return fmt.Errorf("first start: %w", err)
	}
	if err := r.inspect(ctx); err != nil {
		return err
	}

	r.checkListStatements(ctx)
	r.checkList()
	r.checkGet()
	r.checkGet404()
	r.checkItems()
	r.checkItems404()
	// The stretch PATCH needs only the running service: checked before the
	// restarts, so a release that cannot rerun costs it nothing.
	r.checkPatch()
	r.checkPatchErrors()

	if err := r.restart(ctx); err != nil {
		return err
	}
	r.checkTables()
	r.checkForeignKey()
	r.checkStoredOnce()
	r.checkPriceColumn()
	r.checkDoubled()
	if err := r.checkFKIndex(ctx); err != nil {
		return err
	}
	r.checkExactDecimal()
	if err := r.checkHistory(ctx); err != nil {
		return err
	}

	if err := r.svc.Stop(ctx); err != nil {
		return fmt.Errorf("stop the service: %w", err)
	}
	return r.checkFromZero(ctx)
}

// dataSets are the data sets stored rows may come from, the expected one
// first: the grader's data in app/data when it was written there, else the
// repository's own copy; then the starter kit's.
func dataSets(g *grading.Grader, starter []List) []dataSet {
	found, _ := g.Prepared().(prepared)
	var sets []dataSet
	if !found.noDataDir {
		sets = append(sets, dataSet{"app/data", generate(g.Seed())})
	}
	if found.own != nil {
		sets = append(sets, *found.own)
	}
	return append(sets, dataSet{"the starter kit", starter})
}

// inspect reads the schema and the data after the first start.
func (r *run) inspect(ctx context.Context) error {
	o, err := observe(ctx, r.svc, r.sets)
	if err != nil {
		return err
	}
	r.cat, r.sch, r.missing, r.outside, r.first = o.cat, o.sch, o.missing, o.outside, o.snap
	for _, set := range r.sets {
		if r.sch != nil && set.Source == r.sch.Data {
			r.set = set
		}
	}
	return nil
}

// restart restarts the service on the same database and snapshots the data.
// A service that does not come back is the candidate's (release not safe to
// rerun, say): recorded, and the checks that need it say so.
func (r *run) restart(ctx context.Context) error {
	for i := 1; i <= restarts; i++ {
		if err := r.svc.Restart(ctx); err != nil {
			r.restartErr = fmt.Errorf("restart %d of %d: %w", i, restarts, err)
			break
		}
	}
	if r.sch == nil {
		return nil
	}
	var err error
	r.restarted, err = settledSnapshot(ctx, r.svc.DB(), r.sch)
	return err
}

// noSchema records a check that needs the tables when they were not found:
// failed with the one cause when the service keeps its data outside
// PostgreSQL (every database check observes that flaw), else not run, since
// tables the suite could not recognise may still be right.
func (r *run) noSchema(id string) bool {
	switch {
	case r.sch != nil:
		return false
	case r.outside:
		r.failOutside(id)
	default:
		r.g.NotRun(id, "the lists and items tables were not found: "+r.missing)
	}
	return true
}

// failOutside fails a database check of a service that keeps its data
// outside PostgreSQL, with the cause as its reason.
func (r *run) failOutside(id string) {
	r.g.Check(id, func(c *grading.C) { c.Failf("%s", r.missing) })
}

// notRestarted says why a check needing the service after its restarts fails.
func (r *run) notRestarted() string {
	return fmt.Sprintf("Restarted on the same database, the service did not come back (%v): make release and web safe to run again.", r.restartErr)
}
