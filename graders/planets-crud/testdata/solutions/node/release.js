// Migrates the schema and imports the planets the first time only.
const { pool } = require('./db');

const QUERY = 'query Query {allPlanets{planets{name population terrains climates}}}';

async function migrate() {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS planets (
      id         bigserial PRIMARY KEY,
      name       text NOT NULL,
      population bigint CHECK (population >= 0),
      terrains   text[] NOT NULL DEFAULT '{}',
      climates   text[] NOT NULL DEFAULT '{}'
    );
    CREATE TABLE IF NOT EXISTS planet_import (
      done        boolean PRIMARY KEY DEFAULT true CHECK (done),
      imported_at timestamptz NOT NULL DEFAULT now()
    );`);
}

async function fetchPlanets() {
  const res = await fetch(process.env.PLANETS_GRAPHQL_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: QUERY }),
  });
  if (res.status !== 200) throw new Error(`endpoint answered ${res.status}`);
  const body = await res.json();
  return body.data.allPlanets.planets;
}

// The endpoint may be briefly unavailable: try a few times, pausing longer each time.
async function fetchWithRetry() {
  let pause = 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchPlanets();
    } catch (err) {
      if (attempt === 5) throw err;
      console.log(`fetch planets (attempt ${attempt}): ${err.message}`);
      await new Promise((r) => setTimeout(r, pause));
      pause *= 2;
    }
  }
}

async function importOnce() {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('LOCK TABLE planet_import');
    const done = await client.query('SELECT 1 FROM planet_import');
    if (done.rowCount > 0) {
      console.log('planets already imported');
      await client.query('ROLLBACK');
      return;
    }
    const planets = await fetchWithRetry();
    for (const p of planets) {
      await client.query(
        'INSERT INTO planets (name, population, terrains, climates) VALUES ($1, $2, $3, $4)',
        [p.name, p.population, p.terrains || [], p.climates || []],
      );
    }
    await client.query('INSERT INTO planet_import DEFAULT VALUES');
    await client.query('COMMIT');
    console.log(`imported ${planets.length} planets`);
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

migrate()
  .then(importOnce)
  .then(() => pool.end())
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
