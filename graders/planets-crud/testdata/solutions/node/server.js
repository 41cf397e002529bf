// The REST API over the planets table, on plain node:http.
const http = require('node:http');
const { pool, columns } = require('./db');

function send(res, status, body) {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const fail = (res, status, message) => send(res, status, { error: message });

function parseId(raw) {
  return /^[0-9]{1,18}$/.test(raw) ? raw : null;
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

// validPlanet returns the planet to store, or a message saying what is wrong.
function validPlanet(text) {
  let b;
  try {
    b = JSON.parse(text);
  } catch {
    return { error: 'body must be a planet as JSON' };
  }
  if (b === null || typeof b !== 'object' || Array.isArray(b)) return { error: 'body must be a JSON object' };
  if (typeof b.name !== 'string' || b.name === '') return { error: 'name is required' };
  const pop = b.population === undefined ? null : b.population;
  if (pop !== null && !(Number.isSafeInteger(pop) && pop >= 0)) {
    return { error: 'population must be null or an integer of at least 0' };
  }
  const list = (v) => v === undefined || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
  if (!list(b.terrains) || !list(b.climates)) return { error: 'terrains and climates must be arrays of strings' };
  return { planet: { name: b.name, population: pop, terrains: b.terrains || [], climates: b.climates || [] } };
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const m = url.pathname.match(/^\/planets(?:\/([^/]+))?\/?$/);
  if (!m) return fail(res, 404, 'no such route');
  if (m[1] === undefined) {
    if (req.method === 'GET') {
      const r = await pool.query(`SELECT ${columns} FROM planets ORDER BY id`);
      return send(res, 200, r.rows);
    }
    if (req.method === 'POST') {
      const v = validPlanet(await readBody(req));
      if (v.error) return fail(res, 422, v.error);
      const p = v.planet;
      const r = await pool.query(
        `INSERT INTO planets (name, population, terrains, climates) VALUES ($1, $2, $3, $4) RETURNING ${columns}`,
        [p.name, p.population, p.terrains, p.climates],
      );
      return send(res, 201, r.rows[0]);
    }
    return fail(res, 405, 'method not allowed');
  }
  const id = parseId(decodeURIComponent(m[1]));
  if (id === null) return fail(res, 400, 'malformed planet id');
  if (req.method === 'GET') {
    const r = await pool.query(`SELECT ${columns} FROM planets WHERE id = $1`, [id]);
    if (r.rowCount === 0) return fail(res, 404, 'planet not found');
    return send(res, 200, r.rows[0]);
  }
  if (req.method === 'PUT') {
    const v = validPlanet(await readBody(req));
    if (v.error) return fail(res, 422, v.error);
    const p = v.planet;
    const r = await pool.query(
      `UPDATE planets SET name = $2, population = $3, terrains = $4, climates = $5 WHERE id = $1 RETURNING ${columns}`,
      [id, p.name, p.population, p.terrains, p.climates],
    );
    if (r.rowCount === 0) return fail(res, 404, 'planet not found');
    return send(res, 200, r.rows[0]);
  }
  if (req.method === 'DELETE') {
    const r = await pool.query('DELETE FROM planets WHERE id = $1', [id]);
    if (r.rowCount === 0) return fail(res, 404, 'planet not found');
    return send(res, 204);
  }
  return fail(res, 405, 'method not allowed');
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error(err);
    fail(res, 500, 'internal error');
  });
});

server.listen(Number(process.env.PORT), () => console.log(`listening on ${process.env.PORT}`));
