package shoppinglist

import (
	"context"
	"fmt"
	"slices"

	"github.com/assayhq/assay/internal/grading"
)

func (r *run) checkTables() {
	r.g.Check("schema.tables", func(c *grading.C) {
		c.Evidence("tables", r.cat.columns)
		if r.sch == nil {
			c.Failf("No lists and items tables were found (%s): create a table for lists and one for items (name, quantity) and store app/data in them.", r.missing)
			return
		}
		c.Evidence("schema", r.sch)
	})
}

func (r *run) checkForeignKey() {
	if r.noSchema("schema.foreign_key") {
		return
	}
	r.g.Check("schema.foreign_key", func(c *grading.C) {
		c.Evidence("foreign_keys", r.cat.fks)
		if !r.sch.ForeignKey {
			c.Failf("%s.%s does not reference %s: declare it a foreign key (REFERENCES %s).",
				r.sch.Items, r.sch.ItemLink, r.sch.Lists, r.sch.Lists)
		}
	})
}

func (r *run) checkStoredOnce() {
	if r.noSchema("data.stored_once") {
		return
	}
	r.g.Check("data.stored_once", func(c *grading.C) {
		c.Evidence("stored_list_names", sortedKeys(r.first.listNames()))
		switch {
		case r.set.Source != "app/data" && r.sets[0].Source == "app/data":
			c.Failf("The database holds %s's lists, not what app/data holds when the service runs: load app/data/data.json (or data.ts) instead of copying its contents.", r.set.Source)
			return
		case r.set.Source != "app/data":
			c.Failf("The repository has no app/data folder, so the grader's data could not be given to the service, which stored %s's lists: keep the data in app/data/data.json (or data.ts) and load it from there.", r.set.Source)
			return
		}
		c.Evidence("expected_lists", len(r.set.Lists))
		c.Evidence("expected_items", itemCount(r.set.Lists))
		compareStored(c, "After the first start", r.first, r.set.Lists)
		if c.Failed() {
			return
		}
		if r.restartErr != nil {
			c.Failf("%s", r.notRestarted())
			return
		}
		c.Evidence("stored_lists", len(r.restarted.Lists))
		c.Evidence("stored_items", len(r.restarted.Items))
		compareStored(c, fmt.Sprintf("After %d restarts", restarts), r.restarted, r.set.Lists)
	})
}

// compareStored fails c unless snap holds each list and item of lists once.
func compareStored(c *grading.C, when string, snap *snapshot, lists []List) {
	names := snap.listNames()
	for _, l := range lists {
		switch n := names[l.Name]; {
		case n == 0:
			c.Failf("%s, list %q of app/data is not in the database: store every list of app/data/data.json.", when, l.Name)
		case n > 1:
			c.Failf("%s, list %q is stored %d times: store the data once, in a step that is not repeated on the next start.", when, l.Name, n)
		}
	}
	pairs := snap.pairs()
	want := dataPairs(lists)
	for _, p := range sortedPairs(want) {
		switch n := pairs[p]; {
		case n == 0:
			c.Failf("%s, item %s of app/data is not in the database (or not linked to its list).", when, p)
		case n > 1:
			c.Failf("%s, item %s is stored %d times: store the data once, in a step that is not repeated on the next start.", when, p, n)
		}
	}
	for _, p := range sortedPairs(pairs) {
		if want[p] == 0 {
			c.Failf("%s, the database holds item %s, which is not in app/data: store exactly the data of app/data.", when, p)
		}
	}
	if extra := len(snap.Lists) - len(lists); extra > 0 && !c.Failed() {
		c.Failf("%s, the database holds %d lists where app/data has %d: store exactly the lists of app/data.", when, len(snap.Lists), len(lists))
	}
}

// checkFromZero runs the service again on a second, empty database and
// compares what it stored with the first run after its first start.
func (r *run) checkFromZero(ctx context.Context) error {
	if r.noSchema("data.from_zero") {
		return nil
	}
	var failure string
	var got []string
	svc, err := r.g.Start(ctx, grading.StartOptions{})
	if err != nil {
		failure = fmt.Sprintf("On a second, empty database the service did not start (%v): keep no state outside the database.", err)
	} else {
		defer svc.Stop(ctx)
		o, err := observe(ctx, svc, r.sets)
		if err != nil {
			return err
		}
		if o.sch == nil {
			failure = fmt.Sprintf("On a second, empty database the lists and items tables were not found (%s): create and fill them on every empty database, keeping no state outside it.", o.missing)
		} else {
			got = o.snap.state()
		}
	}
	r.g.Check("data.from_zero", func(c *grading.C) {
		want := r.first.state()
		c.Evidence("first_run", want)
		if failure != "" {
			c.Failf("%s", failure)
			return
		}
		c.Evidence("fresh_run", got)
		if !slices.Equal(got, want) {
			c.Failf("On a second, empty database the stored data differs from the first run (%s): seed every empty database the same way and keep no state outside it.", firstDifference(want, got))
		}
	})
	return nil
}

// firstDifference names one line present in one state and not the other.
func firstDifference(want, got []string) string {
	for _, w := range want {
		if !slices.Contains(got, w) {
			return w + " is missing"
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			return g + " is new"
		}
	}
	return "a row is stored a different number of times"
}
