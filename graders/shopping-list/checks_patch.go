package shoppinglist

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/assayhq/assay/internal/grading"
)

// patchTarget is the item the PATCH checks change.
type patchTarget struct {
	ID   string
	Pair pair
}

// patchPrice is the brief's example price.
const patchPrice = 2.5

func (r *run) checkPatch() {
	if r.noItems("endpoints.patch_price") {
		return
	}
	target := r.patchItem()
	path := "/items/" + url.PathEscape(target.ID)
	r.g.Check("endpoints.patch_price", func(c *grading.C) {
		if !r.patchOnce(c, path, target, map[string]any{"price": patchPrice}, ptr(patchPrice)) {
			return
		}
		if r.patchOnce(c, path, target, map[string]any{"price": nil}, nil) {
			r.patched = &target
		}
	})
}

// patchOnce sends one PATCH that must succeed and checks the answer and the
// stored price.
func (r *run) patchOnce(c *grading.C, path string, target patchTarget, body map[string]any, want *float64) bool {
	resp, err := c.Do(r.svc, "PATCH", path, body)
	if err != nil {
		c.Failf("PATCH %s got no answer: %v", path, err)
		return false
	}
	if p := jsonProblem(resp, "PATCH "+path); p != "" {
		c.Failf("%s (item %s exists).", p, target.Pair)
		return false
	}
	var v any
	if err := resp.JSON(&v); err != nil {
		c.Failf("PATCH %s must answer the item as a JSON object.", path)
		return false
	}
	it, p := parseItem(v, "PATCH "+path)
	if p != "" {
		c.Failf("%s.", p)
		return false
	}
	if it.ID != target.ID || !samePriceValue(it.Price, want) {
		c.Failf("PATCH %s with %s answered item %s with price %s: answer the updated item.", path, show(body), it.ID, priceText(it.Price))
		return false
	}
	stored, err := r.storedPrice(c, target)
	if err != nil {
		c.Failf("The price of item %s could not be read back (%v).", target.Pair, err)
		return false
	}
	c.Evidence("stored_price", storedPriceText(stored))
	if !samePrice(stored, want) {
		c.Failf("After PATCH %s with %s %s price %s for item %s: store the new price.", path, show(body), r.priceHeld(), storedPriceText(stored), target.Pair)
		return false
	}
	return true
}

func (r *run) checkPatchErrors() {
	if r.noItems("endpoints.patch_errors") {
		return
	}
	r.g.Check("endpoints.patch_errors", func(c *grading.C) {
		if r.patched == nil {
			c.Failf("PATCH /items/{id} did not set a price on an existing item, so its errors cannot count: implement it first.")
			return
		}
		missing := "/items/" + url.PathEscape(missingID(r.itemIDs()))
		resp, err := c.Do(r.svc, "PATCH", missing, map[string]any{"price": 1})
		switch {
		case err != nil:
			c.Failf("PATCH %s got no answer: %v", missing, err)
			return
		case resp.Status != 404:
			c.Failf("PATCH %s answered %d: answer 404 with a JSON error object when there is no such item.", missing, resp.Status)
			return
		case !isJSONObject(resp):
			c.Failf(`PATCH %s answered 404 without a JSON object: send one, like {"error": "item not found"}.`, missing)
			return
		}
		path := "/items/" + url.PathEscape(r.patched.ID)
		for _, bad := range []any{-1, "cheap"} {
			body := map[string]any{"price": bad}
			resp, err := c.Do(r.svc, "PATCH", path, body)
			if err != nil || (resp.Status != 400 && resp.Status != 422) {
				c.Failf("PATCH %s with %s answered %d: answer 400 or 422 when the price is not a number >= 0 or null.", path, show(body), resp.Status)
				return
			}
		}
		stored, err := r.storedPrice(c, *r.patched)
		switch {
		case err != nil:
			c.Failf("After rejected PATCHes the price of item %s could not be read back (%v).", r.patched.Pair, err)
		case stored != nil:
			c.Failf("After rejected PATCHes item %s holds price %s: a rejected request must change nothing.", r.patched.Pair, *stored)
		}
	})
}

// noItems records a check as not run when the listing gave no item to change.
func (r *run) noItems(id string) bool {
	if len(r.itemIDs()) > 0 {
		return false
	}
	r.g.NotRun(id, "GET /shopping-lists gave no item id to change")
	return true
}

// patchItem picks the item the PATCH checks change, the same in every run:
// the first by list name and item name.
func (r *run) patchItem() patchTarget {
	var all []patchTarget
	for _, l := range r.lists {
		for _, it := range l.Items {
			all = append(all, patchTarget{ID: it.ID, Pair: pair{l.Name, it.Name}})
		}
	}
	slices.SortFunc(all, func(a, b patchTarget) int {
		return cmp.Or(cmp.Compare(a.Pair.List, b.Pair.List), cmp.Compare(a.Pair.Item, b.Pair.Item))
	})
	return all[0]
}

func (r *run) itemIDs() []string {
	var out []string
	for _, l := range r.lists {
		for _, it := range l.Items {
			out = append(out, it.ID)
		}
	}
	return out
}

// storedPrice reads target's price from the database: by its id when the
// items table has a key the API shows, else by its list and name. A service
// keeping its data outside PostgreSQL is asked instead: its store's flaw is
// the database checks' to judge, PATCH is judged by what it then serves.
func (r *run) storedPrice(c *grading.C, target patchTarget) (*string, error) {
	if r.outside {
		return r.servedPrice(c, target)
	}
	if r.sch == nil || r.sch.Price == nil {
		return nil, fmt.Errorf("there is no price column")
	}
	snap, err := takeSnapshot(c.Context(), r.svc.DB(), r.sch)
	if err != nil {
		return nil, err
	}
	for _, it := range snap.Items {
		if it.ID == target.ID && it.ID != "" {
			return it.Price, nil
		}
	}
	if items := snap.itemsByPair()[target.Pair]; len(items) == 1 {
		return items[0].Price, nil
	}
	return nil, fmt.Errorf("no single stored item is %s", target.Pair)
}

// priceHeld says where storedPrice read the price, for reasons.
func (r *run) priceHeld() string {
	if r.outside {
		return "GET /shopping-lists shows"
	}
	return "the database holds"
}

// servedPrice is target's price as GET /shopping-lists shows it, as text
// like a database's numeric (nil for null).
func (r *run) servedPrice(c *grading.C, target patchTarget) (*string, error) {
	resp, err := c.Do(r.svc, "GET", "/shopping-lists", nil)
	if err != nil {
		return nil, fmt.Errorf("GET /shopping-lists got no answer: %v", err)
	}
	arr, problem := decodeArray(resp, "GET /shopping-lists")
	var lists []apiList
	if problem == "" {
		lists, problem = parseLists(arr, "GET /shopping-lists")
	}
	if problem != "" {
		return nil, errors.New(problem)
	}
	for _, l := range lists {
		for _, it := range l.Items {
			if it.ID != target.ID {
				continue
			}
			if it.Price == nil {
				return nil, nil
			}
			return ptr(priceText(it.Price)), nil
		}
	}
	return nil, fmt.Errorf("GET /shopping-lists no longer shows item %s", target.Pair)
}

func samePriceValue(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func ptr[T any](v T) *T { return &v }
