package shoppinglist

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// schema is where the candidate keeps lists and items. Table and column names
// are the candidate's choice, so they are recognised by content (the rows
// holding the data's names) or, failing that, by shape (a table with a
// foreign key to another).
type schema struct {
	Lists        table   `json:"lists_table"`
	Items        table   `json:"items_table"`
	ListKey      string  `json:"list_key"`
	ListName     string  `json:"list_name"`
	ItemKey      string  `json:"item_key,omitempty"`
	ItemName     string  `json:"item_name"`
	ItemQuantity string  `json:"item_quantity"`
	ItemLink     string  `json:"item_link"`
	ForeignKey   bool    `json:"foreign_key"`
	Price        *column `json:"price,omitempty"`
	FoundBy      string  `json:"found_by"`
	Data         string  `json:"data,omitempty"` // the data set whose names the rows hold
}

// dataSet is a data set the stored rows may come from: the replacement the
// grader wrote, or the starter kit's (copied into the code by mistake).
type dataSet struct {
	Source string // "app/data" or "the starter kit"
	Lists  []List
}

// discover finds the lists and items tables. A nil schema comes with a
// sentence saying what is missing.
func discover(ctx context.Context, db *sql.DB, cat *catalog, sets []dataSet) (*schema, string, error) {
	for _, set := range sets {
		s, err := discoverByData(ctx, db, cat, set)
		if err != nil || s != nil {
			return s, "", err
		}
	}
	if s := discoverByShape(cat); s != nil {
		return s, "", nil
	}
	return nil, "no table holds the list names of app/data, and no table with a name and a quantity column has a foreign key to another table", nil
}

func discoverByData(ctx context.Context, db *sql.DB, cat *catalog, set dataSet) (*schema, error) {
	var listNames, itemNames []string
	for _, l := range set.Lists {
		listNames = append(listNames, l.Name)
		for _, it := range l.Items {
			itemNames = append(itemNames, it.Name)
		}
	}
	lists, listName, err := bestNameColumn(ctx, db, cat, listNames, table{})
	if err != nil || listName == "" {
		return nil, err
	}
	items, itemName, err := bestNameColumn(ctx, db, cat, itemNames, lists)
	if err != nil || itemName == "" {
		return nil, err
	}
	s := &schema{Lists: lists, Items: items, ListName: listName, ItemName: itemName,
		FoundBy: "rows holding the names of " + set.Source, Data: set.Source}
	if !linkByForeignKey(cat, s) {
		if err := linkByContent(ctx, db, cat, s, set); err != nil {
			return nil, err
		}
	}
	return s.complete(cat), nil
}

// bestNameColumn returns the text column (outside skip) holding the most of names.
func bestNameColumn(ctx context.Context, db *sql.DB, cat *catalog, names []string, skip table) (table, string, error) {
	var bestTable table
	var bestCol string
	best := 0
	for _, t := range sortedTables(cat) {
		if t == skip {
			continue
		}
		for _, col := range cat.columnsOf(t, textTypes) {
			var n int
			q := fmt.Sprintf(`SELECT count(DISTINCT %s) FROM %s WHERE %[1]s = ANY($1)`, quoteIdent(col), t.ident())
			if err := db.QueryRowContext(ctx, q, names).Scan(&n); err != nil {
				return table{}, "", fmt.Errorf("look for names in %s.%s: %w", t, col, err)
			}
			if n > best {
				bestTable, bestCol, best = t, col, n
			}
		}
	}
	return bestTable, bestCol, nil
}

// linkByForeignKey uses a declared foreign key from items to lists.
func linkByForeignKey(cat *catalog, s *schema) bool {
	for _, fk := range cat.fks {
		if fk.From == s.Items && fk.To == s.Lists {
			s.ItemLink, s.ListKey, s.ForeignKey = fk.FromColumn, fk.ToColumn, true
			return true
		}
	}
	return false
}

// linkByContent finds, without a foreign key, the items column that puts the
// most items of set under their own list, so the missing constraint costs
// the foreign-key check and nothing else.
func linkByContent(ctx context.Context, db *sql.DB, cat *catalog, s *schema, set dataSet) error {
	s.ListKey = keyColumn(cat, s.Lists)
	if s.ListKey == "" {
		return nil
	}
	want := map[[2]string]bool{}
	for _, l := range set.Lists {
		for _, it := range l.Items {
			want[[2]string{l.Name, it.Name}] = true
		}
	}
	best := 0
	for _, col := range cat.columns[s.Items] {
		if col.Name == s.ItemName {
			continue
		}
		q := fmt.Sprintf(`SELECT l.%s::text, i.%s::text FROM %s i JOIN %s l ON i.%s::text = l.%s::text`,
			quoteIdent(s.ListName), quoteIdent(s.ItemName), s.Items.ident(), s.Lists.ident(), quoteIdent(col.Name), quoteIdent(s.ListKey))
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("match %s.%s with %s: %w", s.Items, col.Name, s.Lists, err)
		}
		n := 0
		for rows.Next() {
			var pair [2]string
			if err := rows.Scan(&pair[0], &pair[1]); err != nil {
				rows.Close()
				return fmt.Errorf("match %s.%s with %s: %w", s.Items, col.Name, s.Lists, err)
			}
			if want[pair] {
				n++
			}
		}
		rows.Close()
		if n > best {
			best, s.ItemLink = n, col.Name
		}
	}
	return nil
}

// discoverByShape recognises a child table (text and integer columns) with
// a foreign key to a parent table (a text column), for data that is not
// recognisable (nothing stored, or other names than both data sets).
func discoverByShape(cat *catalog) *schema {
	for _, fk := range cat.fks {
		parentText := cat.columnsOf(fk.To, textTypes)
		childText := cat.columnsOf(fk.From, textTypes)
		if len(parentText) == 0 || len(childText) == 0 {
			continue
		}
		s := &schema{Lists: fk.To, Items: fk.From, ListKey: fk.ToColumn, ItemLink: fk.FromColumn, ForeignKey: true,
			ListName: preferred(parentText, "name", "title"), ItemName: preferred(childText, "name", "title"),
			FoundBy: "a foreign key from a table with a name and a quantity column"}
		if s = s.complete(cat); s != nil {
			return s
		}
	}
	return nil
}

// complete fills the remaining columns; nil when the items table has no
// quantity column or the tables are not linked.
func (s *schema) complete(cat *catalog) *schema {
	if s.ListKey == "" || s.ItemLink == "" {
		return nil
	}
	s.ItemKey = keyColumn(cat, s.Items)
	var quantities []string
	for _, col := range cat.columnsOf(s.Items, integerTypes) {
		if col != s.ItemKey && col != s.ItemLink && col != "price" {
			quantities = append(quantities, col)
		}
	}
	if len(quantities) == 0 {
		return nil
	}
	s.ItemQuantity = preferred(quantities, "quantity", "qty", "amount", "count")
	s.Price = cat.column(s.Items, "price")
	return s
}

// keyColumn is t's single-column primary key, else a column named id.
func keyColumn(cat *catalog, t table) string {
	if k := cat.pk[t]; k != "" {
		return k
	}
	if cat.column(t, "id") != nil {
		return "id"
	}
	return ""
}

// preferred returns the first of names present in cols, else cols[0].
func preferred(cols []string, names ...string) string {
	for _, n := range names {
		if slices.Contains(cols, n) {
			return n
		}
	}
	return cols[0]
}

// sortedTables gives the catalog's tables in a fixed order, so that ties are
// broken the same way in every run.
func sortedTables(cat *catalog) []table {
	out := make([]table, 0, len(cat.columns))
	for t := range cat.columns {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b table) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	return out
}
