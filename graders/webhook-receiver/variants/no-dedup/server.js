// POST /webhooks stores each signed event once; GET /orders and
// GET /orders/{id} serve each order's current state. Plain node:http.
const http = require('node:http');
const { pool } = require('./db');
const { secretKey, verify } = require('./signature');
const { parseEvent } = require('./event');

const key = secretKey(process.env.WEBHOOK_SECRET);
const MAX_BODY = 64 * 1024;
const STATUSES = new Set(['created', 'paid', 'cancelled']);
const ORDER_COLUMNS = 'id, status, amount_cents, currency, events';

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const fail = (res, status, message) => send(res, status, { error: message });

// readBody keeps the raw bytes: the signature is over them, not over a re-serialised object.
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > MAX_BODY) return null;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

async function receive(req, res) {
  const raw = await readBody(req);
  if (raw === null) return fail(res, 413, 'body larger than 64 KiB');
  const why = verify(key, req.headers, raw);
  if (why) return fail(res, 401, why);
  const { event, error } = parseEvent(raw);
  if (error) return fail(res, 422, error);
  // Flaw: every delivery is stored, redeliveries included.
  const r = await pool.query(
    `INSERT INTO events (webhook_id, type, occurred_at, order_id, amount_cents, currency, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [req.headers['webhook-id'], event.type, event.occurredAt, event.orderId, event.amountCents, event.currency, event.payload],
  );
  return send(res, 200, { id: req.headers['webhook-id'], duplicate: false });
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/webhooks') {
    if (req.method !== 'POST') return fail(res, 405, 'method not allowed');
    return receive(req, res);
  }
  if (url.pathname === '/orders') {
    if (req.method !== 'GET') return fail(res, 405, 'method not allowed');
    const status = url.searchParams.get('status');
    if (status === null) {
      const r = await pool.query(`SELECT ${ORDER_COLUMNS} FROM orders`);
      return send(res, 200, r.rows);
    }
    if (!STATUSES.has(status)) return fail(res, 400, 'status must be created, paid or cancelled');
    const r = await pool.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE status = $1`, [status]);
    return send(res, 200, r.rows);
  }
  const m = url.pathname.match(/^\/orders\/([^/]+)$/);
  if (m) {
    if (req.method !== 'GET') return fail(res, 405, 'method not allowed');
    let id;
    try {
      id = decodeURIComponent(m[1]);
    } catch {
      return fail(res, 404, 'order not found');
    }
    const r = await pool.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [id]);
    if (r.rowCount === 0) return fail(res, 404, 'order not found');
    return send(res, 200, r.rows[0]);
  }
  return fail(res, 404, 'no such route');
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error(`${req.method} ${req.url}: ${err.message}`);
    if (!res.headersSent) fail(res, 500, 'internal error');
  });
});

server.listen(Number(process.env.PORT), () => console.log(`listening on ${process.env.PORT}`));
