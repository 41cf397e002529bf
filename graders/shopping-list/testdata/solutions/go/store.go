package main

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
)

type item struct {
	ID       int64           `json:"id"`
	Name     string          `json:"name"`
	Quantity int             `json:"quantity"`
	Price    json.RawMessage `json:"price"` // numeric text as a JSON number, or null
}

type shoppingList struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Items []item `json:"items"`
}

// loadLists returns every list (id 0) or the one list with that id, with
// their items, in two queries whatever the number of lists.
func (s *server) loadLists(ctx context.Context, id int64) ([]shoppingList, error) {
	rows, err := s.db.Query(ctx, `SELECT id, name FROM shopping_lists WHERE $1 = 0 OR id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	lists, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (shoppingList, error) {
		l := shoppingList{Items: []item{}}
		return l, row.Scan(&l.ID, &l.Name)
	})
	if err != nil || len(lists) == 0 {
		return lists, err
	}
	byID := make(map[int64]*shoppingList, len(lists))
	for i := range lists {
		byID[lists[i].ID] = &lists[i]
	}
	rows, err = s.db.Query(ctx, `SELECT list_id, id, name, quantity, price::text FROM items WHERE $1 = 0 OR list_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var listID int64
		var it item
		var price *string
		if err := rows.Scan(&listID, &it.ID, &it.Name, &it.Quantity, &price); err != nil {
			return nil, err
		}
		it.Price = priceJSON(price)
		if l := byID[listID]; l != nil {
			l.Items = append(l.Items, it)
		}
	}
	return lists, rows.Err()
}

func scanItem(row pgx.Row) (item, error) {
	var it item
	var price *string
	err := row.Scan(&it.ID, &it.Name, &it.Quantity, &price)
	it.Price = priceJSON(price)
	return it, err
}

func priceJSON(text *string) json.RawMessage {
	if text == nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(*text)
}
