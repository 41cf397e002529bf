import { pool } from "./db";

export type Item = { id: number; name: string; quantity: number; price: number | null };
export type ShoppingList = { id: number; name: string; items: Item[] };

type ItemRow = { id: number; shopping_list_id: number; name: string; quantity: number; price: string | null };

function toItem(r: ItemRow): Item {
  // node-postgres returns numeric as a string to keep it exact.
  return { id: r.id, name: r.name, quantity: r.quantity, price: r.price === null ? null : Number(r.price) };
}

// Every list (id undefined) or one list, with items: two queries whatever the
// number of lists.
export async function loadLists(id?: number): Promise<ShoppingList[]> {
  const lists = await pool.query<{ id: number; name: string }>(
    "SELECT id, name FROM shopping_lists WHERE $1::integer IS NULL OR id = $1 ORDER BY id",
    [id ?? null],
  );
  if (lists.rowCount === 0) return [];
  const items = await pool.query<ItemRow>(
    "SELECT id, shopping_list_id, name, quantity, price FROM items WHERE $1::integer IS NULL OR shopping_list_id = $1 ORDER BY id",
    [id ?? null],
  );
  const byId = new Map<number, ShoppingList>();
  const result = lists.rows.map((l) => ({ id: l.id, name: l.name, items: [] as Item[] }));
  for (const l of result) byId.set(l.id, l);
  for (const r of items.rows) byId.get(r.shopping_list_id)?.items.push(toItem(r));
  return result;
}

export async function setPrice(id: number, price: number | null): Promise<Item | null> {
  const { rows } = await pool.query<ItemRow>(
    "UPDATE items SET price = $2 WHERE id = $1 RETURNING id, shopping_list_id, name, quantity, price",
    [id, price],
  );
  return rows.length === 0 ? null : toItem(rows[0]);
}
