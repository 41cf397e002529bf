package shoppinglist

import (
	"fmt"
	"strconv"

	"github.com/assayhq/assay/internal/grading"
)

func (r *run) checkPriceColumn() {
	if r.noSchema("migrations.price_column") {
		return
	}
	r.g.Check("migrations.price_column", func(c *grading.C) {
		p := r.sch.Price
		if p == nil {
			c.Failf("%s has no column named price: add it with a migration (numeric, nullable).", r.sch.Items)
			return
		}
		c.Evidence("column", p)
		if !numericTypes[p.Type] {
			c.Failf("%s.price is %s: make it a numeric type (numeric is best for money).", r.sch.Items, p.Type)
		}
		if !p.Nullable {
			c.Failf("%s.price is NOT NULL: make it nullable, since the data has no prices.", r.sch.Items)
		}
		for _, it := range r.first.Items {
			if it.Price != nil {
				c.Evidence("item_with_price", it)
				c.Failf("Item %q has price %s before any PATCH: the data has no prices, leave them NULL.", it.Name, *it.Price)
				break
			}
		}
	})
}

// checkDoubled compares the stored quantities with twice those of the data,
// after the first start and after the restarts, then the API with the
// database.
func (r *run) checkDoubled() {
	if r.noSchema("migrations.quantities_doubled_once") {
		return
	}
	r.g.Check("migrations.quantities_doubled_once", func(c *grading.C) {
		original := dataQuantities(r.set.Lists)
		factor, wrong, sample := quantityFactor(r.first, original)
		c.Evidence("after_first_start", sample)
		switch {
		case factor == 1:
			c.Failf("The database holds the original quantities (%s): double them in the database with a migration, not only in the API.", wrong)
			return
		case wrong != "":
			c.Failf("After the first start, a stored quantity is not twice the one in %s (%s): multiply every quantity by two, once.", r.set.Source, wrong)
			return
		}
		if r.restartErr != nil {
			c.Failf("%s", r.notRestarted())
			return
		}
		factor, wrong, sample = quantityFactor(r.restarted, original)
		c.Evidence(fmt.Sprintf("after_%d_restarts", restarts), sample)
		switch {
		case factor > 2:
			c.Failf("After %d restarts the quantities are %d times the original (%s): double them once, in a migration that is recorded and not run again.", restarts, factor, wrong)
			return
		case wrong != "":
			c.Failf("After %d restarts, a stored quantity is not twice the original (%s): double every quantity exactly once.", restarts, wrong)
			return
		}
		r.compareAPIQuantities(c)
	})
}

// quantityFactor returns the ratio stored/original shared by every stored
// item of the data (0 when they disagree or none match); when some item is
// not exactly doubled, a description of the first such item; and, as
// evidence, that item or else the first one compared.
func quantityFactor(snap *snapshot, original map[pair]int) (factor int, wrong, sample string) {
	byPair := snap.itemsByPair()
	wrong = "no item of the data was found in the database"
	first := true
	for _, p := range sortedPairs(byPair) {
		orig, ok := original[p]
		if !ok {
			continue
		}
		for _, it := range byPair[p] {
			q, err := strconv.ParseInt(it.Quantity, 10, 64)
			f := 0
			if err == nil && q%int64(orig) == 0 {
				f = int(q / int64(orig))
			}
			if first {
				factor, wrong, first = f, "", false
			} else if f != factor {
				factor = 0
			}
			described := fmt.Sprintf("item %s holds %s, originally %d", p, it.Quantity, orig)
			if sample == "" {
				sample = described
			}
			if f != 2 && wrong == "" {
				wrong, sample = described, described
			}
		}
	}
	return factor, wrong, sample
}

// compareAPIQuantities fails c when GET /shopping-lists shows quantities
// other than the stored ones (after the restarts).
func (r *run) compareAPIQuantities(c *grading.C) {
	resp, err := c.Do(r.svc, "GET", "/shopping-lists", nil)
	if err != nil {
		c.Failf("GET /shopping-lists got no answer after the restarts: %v", err)
		return
	}
	arr, problem := decodeArray(resp, "GET /shopping-lists")
	lists, p := parseLists(arr, "GET /shopping-lists")
	if problem == "" {
		problem = p
	}
	if problem != "" {
		c.Failf("After the restarts, %s.", problem)
		return
	}
	stored := map[pair]string{}
	for _, it := range r.restarted.Items {
		stored[pair{r.restarted.Lists[it.ListID], it.Name}] = it.Quantity
	}
	for _, l := range lists {
		for _, it := range l.Items {
			p := pair{l.Name, it.Name}
			if q, ok := stored[p]; ok && q != strconv.FormatInt(it.Quantity, 10) {
				c.Failf("GET /shopping-lists shows quantity %d for item %s where the database holds %s: serve the stored quantity.", it.Quantity, p, q)
				return
			}
		}
	}
}
