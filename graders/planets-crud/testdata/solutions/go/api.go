package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/lib/pq"
)

func routes(db *sql.DB) http.Handler {
	a := &api{db: db}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /planets", a.list)
	mux.HandleFunc("POST /planets", a.create)
	mux.HandleFunc("GET /planets/{id}", a.get)
	mux.HandleFunc("PUT /planets/{id}", a.update)
	mux.HandleFunc("DELETE /planets/{id}", a.remove)
	return mux
}

type api struct{ db *sql.DB }

func (a *api) list(w http.ResponseWriter, r *http.Request) {
	rows, err := a.db.QueryContext(r.Context(), `SELECT `+columns+` FROM planets ORDER BY id`)
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	defer rows.Close()
	out := []Planet{}
	for rows.Next() {
		p, err := scanPlanet(rows)
		if err != nil {
			fail(w, http.StatusInternalServerError, err.Error())
			return
		}
		out = append(out, p)
	}
	reply(w, http.StatusOK, out)
}

func (a *api) get(w http.ResponseWriter, r *http.Request) {
	id, ok := planetID(w, r)
	if !ok {
		return
	}
	p, err := scanPlanet(a.db.QueryRowContext(r.Context(), `SELECT `+columns+` FROM planets WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		fail(w, http.StatusNotFound, "planet not found")
		return
	}
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	reply(w, http.StatusOK, p)
}

func (a *api) create(w http.ResponseWriter, r *http.Request) {
	p, ok := readPlanet(w, r)
	if !ok {
		return
	}
	p, err := insertPlanet(r.Context(), a.db, p)
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	reply(w, http.StatusCreated, p)
}

func (a *api) update(w http.ResponseWriter, r *http.Request) {
	id, ok := planetID(w, r)
	if !ok {
		return
	}
	p, ok := readPlanet(w, r)
	if !ok {
		return
	}
	p, err := scanPlanet(a.db.QueryRowContext(r.Context(),
		`UPDATE planets SET name = $2, population = $3, terrains = $4, climates = $5 WHERE id = $1 RETURNING `+columns,
		id, p.Name, p.Population, pq.Array(p.Terrains), pq.Array(p.Climates)))
	if errors.Is(err, sql.ErrNoRows) {
		fail(w, http.StatusNotFound, "planet not found")
		return
	}
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	reply(w, http.StatusOK, p)
}

func (a *api) remove(w http.ResponseWriter, r *http.Request) {
	id, ok := planetID(w, r)
	if !ok {
		return
	}
	res, err := a.db.ExecContext(r.Context(), `DELETE FROM planets WHERE id = $1`, id)
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	if n, _ := res.RowsAffected(); n == 0 {
		fail(w, http.StatusNotFound, "planet not found")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func planetID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		fail(w, http.StatusBadRequest, "malformed planet id")
		return 0, false
	}
	return id, true
}

// readPlanet decodes and validates a planet body; the caller gets ok=false
// when an error answer was already sent.
func readPlanet(w http.ResponseWriter, r *http.Request) (Planet, bool) {
	var in struct {
		Name       *string          `json:"name"`
		Population *json.RawMessage `json:"population"`
		Terrains   []string         `json:"terrains"`
		Climates   []string         `json:"climates"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "body must be a planet as JSON: "+err.Error())
		return Planet{}, false
	}
	if in.Name == nil || *in.Name == "" {
		fail(w, http.StatusUnprocessableEntity, "name is required")
		return Planet{}, false
	}
	p := Planet{Name: *in.Name, Terrains: nonNil(in.Terrains), Climates: nonNil(in.Climates)}
	if in.Population != nil && !bytes.Equal(*in.Population, []byte("null")) {
		n, err := strconv.ParseInt(string(*in.Population), 10, 64)
		if err != nil || n < 0 {
			fail(w, http.StatusUnprocessableEntity, "population must be null or an integer of at least 0")
			return Planet{}, false
		}
		p.Population = &n
	}
	return p, true
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	reply(w, status, map[string]string{"error": msg})
}
