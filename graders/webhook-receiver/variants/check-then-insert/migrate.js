// The schema, created idempotently: release runs before every start.
//
// Flaw: webhook_id has no unique constraint, so the database accepts a
// second row for the same event.
//
// events keeps one row per webhook-id. The primary key is what makes a
// redelivery harmless: two copies of an event arriving at the same instant
// both try to insert, and the database lets exactly one through (checking
// first and inserting after races).
//
// orders is a view over events, not a table kept up to date: an order's state
// is the event with the latest occurred_at, whatever order events arrive in,
// so deriving it on read leaves nothing to race between two events of the
// same order.
const { pool } = require('./db');

const schema = `
CREATE TABLE IF NOT EXISTS events (
  id           bigserial PRIMARY KEY,
  webhook_id   text NOT NULL,
  type         text NOT NULL CHECK (type IN ('order.created', 'order.paid', 'order.cancelled')),
  occurred_at  timestamptz NOT NULL,
  order_id     text NOT NULL,
  amount_cents bigint CHECK (amount_cents >= 0),
  currency     text CHECK (currency IN ('EUR', 'USD', 'GBP')),
  payload      jsonb NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS events_order_id_occurred_at ON events (order_id, occurred_at);
CREATE INDEX IF NOT EXISTS events_webhook_id ON events (webhook_id);

CREATE OR REPLACE VIEW orders AS
SELECT order_id AS id,
       substr((array_agg(type ORDER BY occurred_at DESC, webhook_id DESC))[1], 7) AS status,
       (array_agg(amount_cents ORDER BY occurred_at DESC, webhook_id DESC)
          FILTER (WHERE amount_cents IS NOT NULL))[1] AS amount_cents,
       (array_agg(currency ORDER BY occurred_at DESC, webhook_id DESC)
          FILTER (WHERE currency IS NOT NULL))[1] AS currency,
       count(*)::int AS events
  FROM events
 GROUP BY order_id;
`;

pool
  .query(schema)
  .then(() => {
    console.log('schema ready');
    return pool.end();
  })
  .catch((err) => {
    console.error(`migrate: ${err.message}`);
    process.exit(1);
  });
