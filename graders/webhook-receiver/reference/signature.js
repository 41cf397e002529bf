// Standard Webhooks verification (https://www.standardwebhooks.com/):
// HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{raw body}" with the
// base64-decoded part of the "whsec_..." secret, compared in constant time
// with each "v1,<base64>" entry of webhook-signature (several entries let the
// sender rotate its secret).
const crypto = require('node:crypto');

const TOLERANCE_SECONDS = 5 * 60;

function secretKey(secret) {
  if (!secret) throw new Error('WEBHOOK_SECRET is not set');
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

// verify returns null when the delivery is authentic, else why it is not.
function verify(key, headers, rawBody, nowSeconds = Math.floor(Date.now() / 1000)) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) {
    return 'webhook-id, webhook-timestamp and webhook-signature headers are required';
  }
  if (!/^[0-9]{1,12}$/.test(timestamp)) return 'webhook-timestamp must be Unix seconds';
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) {
    return 'webhook-timestamp is more than 5 minutes from now';
  }
  const expected = crypto
    .createHmac('sha256', key)
    .update(`${id}.${timestamp}.`)
    .update(rawBody)
    .digest();
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) return null;
  }
  return 'no webhook-signature entry matches';
}

module.exports = { secretKey, verify };
