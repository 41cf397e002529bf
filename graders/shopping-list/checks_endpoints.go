package shoppinglist

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/assayhq/assay/internal/grading"
)

// checkList compares GET /shopping-lists (answered during the statement
// count) with the database: the same lists and items, the JSON shapes of the
// brief. Quantity values are the doubling check's business, not this one's.
func (r *run) checkList() {
	r.g.Check("endpoints.list", func(c *grading.C) {
		c.Keep(r.listResp)
		if r.lists == nil {
			c.Failf("%s.", r.listProblem)
			return
		}
		if p := duplicateIDs(r.lists); p != "" {
			c.Failf("GET /shopping-lists: %s: give every list and item its own id.", p)
			return
		}
		want, wantLists := r.expected()
		got := map[pair]int{}
		gotLists := map[string]int{}
		for _, l := range r.lists {
			gotLists[l.Name]++
			for _, it := range l.Items {
				got[pair{l.Name, it.Name}]++
			}
		}
		for _, name := range sortedKeys(wantLists) {
			if gotLists[name] != wantLists[name] {
				c.Failf("GET /shopping-lists shows list %q %d times where the database holds it %d times: return every stored list once.", name, gotLists[name], wantLists[name])
				return
			}
		}
		for _, name := range sortedKeys(gotLists) {
			if wantLists[name] == 0 {
				c.Failf("GET /shopping-lists shows list %q, which the database does not hold: return the stored lists.", name)
				return
			}
		}
		for _, p := range sortedPairs(want) {
			if got[p] != want[p] {
				c.Failf("GET /shopping-lists shows item %s %d times where the database holds it %d times: return each list with its stored items.", p, got[p], want[p])
				return
			}
		}
		for _, p := range sortedPairs(got) {
			if want[p] == 0 {
				c.Failf("GET /shopping-lists shows item %s, which the database does not hold: return each list with its stored items.", p)
				return
			}
		}
		r.comparePrices(c)
	})
}

// expected is what the lists endpoint should show: the stored rows when the
// tables were found, else the data (the endpoint is judged on its own).
func (r *run) expected() (map[pair]int, map[string]int) {
	if r.first != nil {
		return r.first.pairs(), r.first.listNames()
	}
	names := map[string]int{}
	for _, l := range r.set.Lists {
		names[l.Name]++
	}
	return dataPairs(r.set.Lists), names
}

// comparePrices fails c when an item's price differs from the stored one
// (all null before any PATCH).
func (r *run) comparePrices(c *grading.C) {
	if r.first == nil {
		return
	}
	stored := map[pair]*string{}
	for _, it := range r.first.Items {
		stored[pair{r.first.Lists[it.ListID], it.Name}] = it.Price
	}
	for _, l := range r.lists {
		for _, it := range l.Items {
			p := pair{l.Name, it.Name}
			if !samePrice(stored[p], it.Price) {
				c.Failf("GET /shopping-lists shows price %s for item %s where the database holds %s: serve the stored price (null when there is none).",
					priceText(it.Price), p, storedPriceText(stored[p]))
				return
			}
		}
	}
}

func samePrice(stored *string, shown *float64) bool {
	if stored == nil || shown == nil {
		return stored == nil && shown == nil
	}
	f, err := strconv.ParseFloat(*stored, 64)
	return err == nil && f == *shown
}

func priceText(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func storedPriceText(p *string) string {
	if p == nil {
		return "NULL"
	}
	return *p
}

func duplicateIDs(lists []apiList) string {
	seenList, seenItem := map[string]bool{}, map[string]bool{}
	for _, l := range lists {
		if seenList[l.ID] {
			return fmt.Sprintf("two lists have id %s", l.ID)
		}
		seenList[l.ID] = true
		for _, it := range l.Items {
			if seenItem[it.ID] {
				return fmt.Sprintf("two items have id %s", it.ID)
			}
			seenItem[it.ID] = true
		}
	}
	return ""
}

// needLists records a check that asks for lists by id as not run when the
// listing gave none.
func (r *run) needLists(id string) bool {
	if len(r.lists) > 0 {
		return false
	}
	r.g.NotRun(id, "GET /shopping-lists gave no list id to ask for")
	return true
}

func (r *run) checkGet() {
	if r.needLists("endpoints.get") {
		return
	}
	r.g.Check("endpoints.get", func(c *grading.C) {
		for _, want := range r.lists {
			path := "/shopping-lists/" + url.PathEscape(want.ID)
			resp, err := c.Do(r.svc, "GET", path, nil)
			if err != nil {
				c.Failf("GET %s got no answer: %v", path, err)
				return
			}
			if p := jsonProblem(resp, "GET "+path); p != "" {
				c.Failf("%s (the list exists: GET /shopping-lists shows it).", p)
				return
			}
			var v any
			if err := resp.JSON(&v); err != nil {
				c.Failf("GET %s must answer one list as a JSON object.", path)
				return
			}
			got, p := parseList(v, "GET "+path)
			if p != "" {
				c.Failf("%s.", p)
				return
			}
			if got.ID != want.ID || got.Name != want.Name || !sameItems(got.Items, want.Items) {
				c.Failf("GET %s answered list %q (id %s) with %d items; GET /shopping-lists shows %q with %d items: answer the list with that id and its items.",
					path, got.Name, got.ID, len(got.Items), want.Name, len(want.Items))
				return
			}
		}
	})
}

func (r *run) checkItems() {
	if r.needLists("endpoints.items") {
		return
	}
	r.g.Check("endpoints.items", func(c *grading.C) {
		for _, want := range r.lists {
			path := "/shopping-lists/" + url.PathEscape(want.ID) + "/items"
			resp, err := c.Do(r.svc, "GET", path, nil)
			if err != nil {
				c.Failf("GET %s got no answer: %v", path, err)
				return
			}
			arr, p := decodeArray(resp, "GET "+path)
			if p != "" {
				c.Failf("%s (the list exists: GET /shopping-lists shows it).", p)
				return
			}
			got, p := parseItems(arr, "GET "+path)
			if p != "" {
				c.Failf("%s.", p)
				return
			}
			if !sameItems(got, want.Items) {
				c.Failf("GET %s answered %d items; GET /shopping-lists shows %d for list %q: answer that list's items.", path, len(got), len(want.Items), want.Name)
				return
			}
		}
	})
}

// sameItems compares items by id and name, in any order.
func sameItems(a, b []apiItem) bool {
	key := func(items []apiItem) []string {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = it.ID + "\x00" + it.Name
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

func (r *run) checkGet404() {
	if r.needLists("endpoints.get_404") {
		return
	}
	r.g.Check("endpoints.get_404", func(c *grading.C) {
		r.notFound(c, "/shopping-lists/%s", "list", listIDs(r.lists))
	})
}

func (r *run) checkItems404() {
	if r.needLists("endpoints.items_404") {
		return
	}
	r.g.Check("endpoints.items_404", func(c *grading.C) {
		r.notFound(c, "/shopping-lists/%s/items", "list", listIDs(r.lists))
	})
}

// notFound checks a GET route's answers for a missing and a malformed id,
// counting them only when the route answers 200 for an existing id
// (contract §4).
func (r *run) notFound(c *grading.C, route, what string, existing []string) {
	path := fmt.Sprintf(route, url.PathEscape(existing[0]))
	resp, err := c.Do(r.svc, "GET", path, nil)
	if err != nil || resp.Status != 200 {
		c.Failf("GET %s did not answer 200 for an existing %s, so its 404 cannot count: implement the route first.", path, what)
		return
	}
	path = fmt.Sprintf(route, url.PathEscape(missingID(existing)))
	if resp, err = c.Do(r.svc, "GET", path, nil); err != nil {
		c.Failf("GET %s got no answer: %v", path, err)
		return
	}
	if resp.Status != 404 {
		c.Failf("GET %s answered %d: answer 404 with a JSON error object when there is no such %s.", path, resp.Status, what)
		return
	}
	if !isJSONObject(resp) {
		c.Failf(`GET %s answered 404 without a JSON object: send one, like {"error": "%s not found"}.`, path, what)
		return
	}
	bad, ok := malformedID(existing)
	if !ok {
		return
	}
	path = fmt.Sprintf(route, url.PathEscape(bad))
	if resp, err = c.Do(r.svc, "GET", path, nil); err != nil {
		c.Failf("GET %s got no answer: %v", path, err)
		return
	}
	if resp.Status != 400 && resp.Status != 404 {
		c.Failf("GET %s (a malformed id) answered %d: answer 400 or 404, never 500.", path, resp.Status)
	}
}

func isJSONObject(resp *grading.Response) bool {
	var v map[string]any
	return resp.IsJSON() && resp.JSON(&v) == nil && v != nil
}

func listIDs(lists []apiList) []string {
	out := make([]string, len(lists))
	for i, l := range lists {
		out[i] = l.ID
	}
	return out
}

// missingID returns an id of the same kind as existing ones that none has:
// past the largest integer, or an unused UUID, or a plainly unused string.
func missingID(existing []string) string {
	if top, ok := maxInt(existing); ok {
		return strconv.FormatInt(top+1000, 10)
	}
	if isUUID(existing[0]) {
		for _, id := range []string{"7c0d5a6e-0000-4000-8000-000000000000", "7c0d5a6e-0000-4000-8000-000000000001"} {
			if !slices.Contains(existing, id) {
				return id
			}
		}
	}
	return "assay-missing-" + strings.Repeat("0", len(existing))
}

// malformedID is an id no route with such ids accepts; none for free-form
// string ids, where nothing is malformed.
func malformedID(existing []string) (string, bool) {
	if _, ok := maxInt(existing); ok || isUUID(existing[0]) {
		return "not-an-id", true
	}
	return "", false
}

func maxInt(ids []string) (int64, bool) {
	var top int64
	for _, id := range ids {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return 0, false
		}
		top = max(top, n)
	}
	return top, true
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, ch := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if ch != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", ch):
			return false
		}
	}
	return true
}
