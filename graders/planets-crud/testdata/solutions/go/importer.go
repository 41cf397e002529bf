package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"
)

const planetsQuery = `query Query {allPlanets{planets{name population terrains climates}}}`

// importOnce imports the planets the first time only: the planet_import row
// marks it done, in the same transaction as the planets themselves.
func importOnce(ctx context.Context, db *sql.DB, url string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `LOCK TABLE planet_import`); err != nil {
		return err
	}
	var done bool
	err = tx.QueryRowContext(ctx, `SELECT true FROM planet_import`).Scan(&done)
	if err == nil {
		log.Print("planets already imported")
		return nil
	}
	if err != sql.ErrNoRows {
		return err
	}
	planets, err := fetchWithRetry(ctx, url)
	if err != nil {
		return err
	}
	for _, p := range planets {
		if _, err := insertPlanet(ctx, tx, p); err != nil {
			return fmt.Errorf("import %q: %w", p.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO planet_import DEFAULT VALUES`); err != nil {
		return err
	}
	log.Printf("imported %d planets", len(planets))
	return tx.Commit()
}

// fetchWithRetry tries a few times with a growing pause: the endpoint may be
// briefly unavailable.
func fetchWithRetry(ctx context.Context, url string) ([]Planet, error) {
	var err error
	for attempt, pause := 1, 200*time.Millisecond; attempt <= 5; attempt, pause = attempt+1, pause*2 {
		var planets []Planet
		if planets, err = fetchPlanets(ctx, url); err == nil {
			return planets, nil
		}
		log.Printf("fetch planets (attempt %d): %v", attempt, err)
		time.Sleep(pause)
	}
	return nil, err
}

func fetchPlanets(ctx context.Context, url string) ([]Planet, error) {
	body, _ := json.Marshal(map[string]string{"query": planetsQuery})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("endpoint answered %s", resp.Status)
	}
	var out struct {
		Data struct {
			AllPlanets struct {
				Planets []Planet `json:"planets"`
			} `json:"allPlanets"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("decode answer: %w", err)
	}
	return out.Data.AllPlanets.Planets, nil
}
