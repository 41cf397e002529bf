package main

import (
	"context"
	"database/sql"

	"github.com/lib/pq"
)

// Planet is the API's and the import's shape.
type Planet struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Population *int64   `json:"population"`
	Terrains   []string `json:"terrains"`
	Climates   []string `json:"climates"`
}

type execer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const columns = `id, name, population, terrains, climates`

func insertPlanet(ctx context.Context, db execer, p Planet) (Planet, error) {
	return scanPlanet(db.QueryRowContext(ctx,
		`INSERT INTO planets (name, population, terrains, climates) VALUES ($1, $2, $3, $4) RETURNING `+columns,
		p.Name, p.Population, pq.Array(nonNil(p.Terrains)), pq.Array(nonNil(p.Climates))))
}

func scanPlanet(row interface{ Scan(...any) error }) (Planet, error) {
	var p Planet
	err := row.Scan(&p.ID, &p.Name, &p.Population, pq.Array(&p.Terrains), pq.Array(&p.Climates))
	p.Terrains, p.Climates = nonNil(p.Terrains), nonNil(p.Climates)
	return p, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
