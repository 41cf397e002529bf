package main

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// migration is one versioned step; each runs once, in a transaction that
// also records it in schema_migrations.
type migration struct {
	version int
	name    string
	up      func(ctx context.Context, tx pgx.Tx) error
}

var migrations = []migration{
	{1, "create lists and items", execSQL(`
		CREATE TABLE shopping_lists (
			id   bigserial PRIMARY KEY,
			name text NOT NULL
		);
		CREATE TABLE items (
			id       bigserial PRIMARY KEY,
			list_id  bigint NOT NULL REFERENCES shopping_lists (id) ON DELETE CASCADE,
			name     text NOT NULL,
			quantity integer NOT NULL
		);
		CREATE INDEX items_list_id_idx ON items (list_id);`)},
	{2, "store app/data", seed},
	{3, "add price to items", execSQL(`ALTER TABLE items ADD COLUMN price numeric`)},
	{4, "double quantities", execSQL(`UPDATE items SET quantity = quantity * 2`)},
}

func execSQL(sql string) func(context.Context, pgx.Tx) error {
	return func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, sql)
		return err
	}
}

// seed stores the data of app/data as it is at the time of the migration.
func seed(ctx context.Context, tx pgx.Tx) error {
	lists, err := loadData()
	if err != nil {
		return err
	}
	for _, l := range lists {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO shopping_lists (name) VALUES ($1) RETURNING id`, l.Name).Scan(&id); err != nil {
			return err
		}
		for _, it := range l.Items {
			if _, err := tx.Exec(ctx, `INSERT INTO items (list_id, name, quantity) VALUES ($1, $2, $3)`, id, it.Name, it.Quantity); err != nil {
				return err
			}
		}
	}
	return nil
}
