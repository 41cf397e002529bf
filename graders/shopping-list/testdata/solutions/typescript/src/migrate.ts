import { pool } from "./db";
import { migrations } from "./migrations";

// Applies the migrations not yet recorded; running it again changes nothing.
async function migrate(): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now())`);
  for (const m of migrations) {
    const db = await pool.connect();
    try {
      await db.query("BEGIN");
      // Two releases at once still apply each migration once.
      await db.query("LOCK TABLE migrations IN EXCLUSIVE MODE");
      const done = await db.query("SELECT 1 FROM migrations WHERE name = $1", [m.name]);
      if (done.rowCount === 0) {
        await m.up(db);
        await db.query("INSERT INTO migrations (name) VALUES ($1)", [m.name]);
        console.log(`applied ${m.name}`);
      }
      await db.query("COMMIT");
    } catch (err) {
      await db.query("ROLLBACK");
      throw new Error(`migration ${m.name}: ${(err as Error).message}`);
    } finally {
      db.release();
    }
  }
}

migrate()
  .then(() => pool.end())
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
