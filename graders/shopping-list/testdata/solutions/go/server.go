package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

type server struct{ db *pgxpool.Pool }

func serve(pool *pgxpool.Pool, port string) error {
	s := &server{db: pool}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /shopping-lists", s.lists)
	mux.HandleFunc("GET /shopping-lists/{id}", s.list)
	mux.HandleFunc("GET /shopping-lists/{id}/items", s.listItems)
	mux.HandleFunc("PATCH /items/{id}", s.patchItem)
	return http.ListenAndServe(":"+port, mux)
}

func (s *server) lists(w http.ResponseWriter, r *http.Request) {
	lists, err := s.loadLists(r.Context(), 0)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, lists)
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "shopping list")
	if !ok {
		return
	}
	lists, err := s.loadLists(r.Context(), id)
	if err != nil {
		fail(w, err)
		return
	}
	if len(lists) == 0 {
		notFound(w, "shopping list")
		return
	}
	writeJSON(w, http.StatusOK, lists[0])
}

func (s *server) listItems(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "shopping list")
	if !ok {
		return
	}
	lists, err := s.loadLists(r.Context(), id)
	if err != nil {
		fail(w, err)
		return
	}
	if len(lists) == 0 {
		notFound(w, "shopping list")
		return
	}
	writeJSON(w, http.StatusOK, lists[0].Items)
}

func (s *server) patchItem(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "item")
	if !ok {
		return
	}
	// A map tells {"price": null} (clear it) from {} (nothing to set).
	var body map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["price"] == nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `body must be {"price": number or null}`})
		return
	}
	price, ok := parsePrice(body["price"])
	if !ok {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "price must be a number >= 0 or null"})
		return
	}
	it, err := scanItem(s.db.QueryRow(r.Context(),
		`UPDATE items SET price = $2::numeric WHERE id = $1 RETURNING id, name, quantity, price::text`, id, price))
	if errors.Is(err, pgx.ErrNoRows) {
		notFound(w, "item")
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}

// parsePrice accepts null or a JSON number >= 0 and returns it as numeric
// text (nil for null), so the exact decimal reaches the database.
func parsePrice(raw json.RawMessage) (*string, bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	switch n := v.(type) {
	case nil:
		return nil, true
	case json.Number:
		f, err := strconv.ParseFloat(n.String(), 64)
		if err != nil || f < 0 {
			return nil, false
		}
		text := n.String()
		return &text, true
	}
	return nil, false
}

// pathID reads a numeric id; anything else is no such resource (404).
func pathID(w http.ResponseWriter, r *http.Request, what string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		notFound(w, what)
		return 0, false
	}
	return id, true
}

func notFound(w http.ResponseWriter, what string) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": what + " not found"})
}

func fail(w http.ResponseWriter, err error) {
	log.Print(err)
	writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
