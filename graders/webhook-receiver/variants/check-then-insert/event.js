// The event body: what an order system sends, checked before anything is stored.
const TYPES = new Set(['order.created', 'order.paid', 'order.cancelled']);
const CURRENCIES = new Set(['EUR', 'USD', 'GBP']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

// parseEvent returns {event} or {error} saying what is wrong with the body.
function parseEvent(rawBody) {
  let b;
  try {
    b = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { error: 'body must be a JSON event' };
  }
  if (b === null || typeof b !== 'object' || Array.isArray(b)) return { error: 'body must be a JSON object' };
  if (!TYPES.has(b.type)) return { error: 'type must be order.created, order.paid or order.cancelled' };
  if (typeof b.occurred_at !== 'string' || !RFC3339.test(b.occurred_at) || Number.isNaN(Date.parse(b.occurred_at))) {
    return { error: 'occurred_at must be an RFC 3339 time' };
  }
  const d = b.data;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return { error: 'data must be an object' };
  if (typeof d.order_id !== 'string' || d.order_id === '') return { error: 'data.order_id is required' };
  if (d.amount_cents !== undefined && !(Number.isSafeInteger(d.amount_cents) && d.amount_cents >= 0)) {
    return { error: 'data.amount_cents must be an integer of at least 0' };
  }
  if (d.currency !== undefined && !CURRENCIES.has(d.currency)) {
    return { error: 'data.currency must be EUR, USD or GBP' };
  }
  return {
    event: {
      type: b.type,
      occurredAt: b.occurred_at,
      orderId: d.order_id,
      amountCents: d.amount_cents ?? null,
      currency: d.currency ?? null,
      payload: b,
    },
  };
}

module.exports = { parseEvent };
