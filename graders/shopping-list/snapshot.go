package shoppinglist

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
)

// storedItem and storedList are the rows as the database holds them.
type storedItem struct {
	ID       string  `json:"id,omitempty"`
	ListID   string  `json:"list_id"`
	Name     string  `json:"name"`
	Quantity string  `json:"quantity"` // text: a numeric column may hold anything
	Price    *string `json:"price"`
}

type snapshot struct {
	Lists map[string]string // list key -> name
	Items []storedItem
}

// takeSnapshot reads every list and item through the discovered schema.
func takeSnapshot(ctx context.Context, db *sql.DB, s *schema) (*snapshot, error) {
	snap := &snapshot{Lists: map[string]string{}}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT %s::text, %s::text FROM %s`,
		quoteIdent(s.ListKey), quoteIdent(s.ListName), s.Lists.ident()))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.Lists, err)
	}
	for rows.Next() {
		var key string
		var name sql.NullString
		if err := rows.Scan(&key, &name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read %s: %w", s.Lists, err)
		}
		snap.Lists[key] = name.String
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", s.Lists, err)
	}

	id, price := "''", "NULL"
	if s.ItemKey != "" {
		id = quoteIdent(s.ItemKey) + "::text"
	}
	if s.Price != nil {
		price = quoteIdent(s.Price.Name) + "::text"
	}
	rows, err = db.QueryContext(ctx, fmt.Sprintf(`SELECT %s, coalesce(%s::text, ''), coalesce(%s::text, ''), coalesce(%s::text, ''), %s FROM %s`,
		id, quoteIdent(s.ItemLink), quoteIdent(s.ItemName), quoteIdent(s.ItemQuantity), price, s.Items.ident()))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.Items, err)
	}
	defer rows.Close()
	for rows.Next() {
		var it storedItem
		if err := rows.Scan(&it.ID, &it.ListID, &it.Name, &it.Quantity, &it.Price); err != nil {
			return nil, fmt.Errorf("read %s: %w", s.Items, err)
		}
		snap.Items = append(snap.Items, it)
	}
	return snap, rows.Err()
}

// pairs counts (list name, item name) pairs: what "stored exactly once" and
// the from-zero comparison are about. Items whose list is unknown count
// under an empty list name.
func (s *snapshot) pairs() map[pair]int {
	out := map[pair]int{}
	for _, it := range s.Items {
		out[pair{s.Lists[it.ListID], it.Name}]++
	}
	return out
}

// listNames counts the stored lists by name.
func (s *snapshot) listNames() map[string]int {
	out := map[string]int{}
	for _, name := range s.Lists {
		out[name]++
	}
	return out
}

// itemsByPair gives each stored item under its (list, item) names.
func (s *snapshot) itemsByPair() map[pair][]storedItem {
	out := map[pair][]storedItem{}
	for _, it := range s.Items {
		p := pair{s.Lists[it.ListID], it.Name}
		out[p] = append(out[p], it)
	}
	return out
}

// state is a canonical, comparable rendering of the stored data (names and
// quantities, not ids) for the from-zero comparison.
func (s *snapshot) state() []string {
	out := make([]string, 0, len(s.Items)+len(s.Lists))
	for _, name := range s.Lists {
		out = append(out, "list "+strconv.Quote(name))
	}
	for _, it := range s.Items {
		out = append(out, fmt.Sprintf("item %q in %q quantity %s", it.Name, s.Lists[it.ListID], it.Quantity))
	}
	sort.Strings(out)
	return out
}

// pair names an item by its list: item names are unique within a list only.
type pair struct{ List, Item string }

func (p pair) String() string { return fmt.Sprintf("%q in %q", p.Item, p.List) }

// dataPairs counts the (list, item) pairs of a data set.
func dataPairs(lists []List) map[pair]int {
	out := map[pair]int{}
	for _, l := range lists {
		for _, it := range l.Items {
			out[pair{l.Name, it.Name}]++
		}
	}
	return out
}

// dataQuantities gives each (list, item) pair its quantity in the data set.
func dataQuantities(lists []List) map[pair]int {
	out := map[pair]int{}
	for _, l := range lists {
		for _, it := range l.Items {
			out[pair{l.Name, it.Name}] = it.Quantity
		}
	}
	return out
}
