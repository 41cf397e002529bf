// Signs an event the way the grader does (Standard Webhooks) and POSTs it.
//
//   WEBHOOK_SECRET=whsec_... node send-event.mjs [options] [event.json]
//
//   --url URL        where to send it (default http://127.0.0.1:$PORT/webhooks, PORT 3000)
//   --id ID          the webhook-id (default a new msg_... each time; repeat one to redeliver)
//   --age SECONDS    sign with a timestamp this many seconds in the past (over 300: stale, expect 401)
//   --wrong-secret   sign with another secret (your service must answer 401)
//   --now            replace occurred_at with the current time
//
// Needs Node.js 18 or later, nothing else.
import crypto from 'node:crypto';
import fs from 'node:fs';

const args = process.argv.slice(2);
const opt = { url: `http://127.0.0.1:${process.env.PORT || 3000}/webhooks`, age: 0, file: null };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--url') opt.url = args[++i];
  else if (a === '--id') opt.id = args[++i];
  else if (a === '--age') opt.age = Number(args[++i]);
  else if (a === '--wrong-secret') opt.wrongSecret = true;
  else if (a === '--now') opt.now = true;
  else opt.file = a;
}

const secret = opt.wrongSecret ? 'whsec_' + crypto.randomBytes(24).toString('base64') : process.env.WEBHOOK_SECRET;
if (!secret || !secret.startsWith('whsec_')) {
  console.error('set WEBHOOK_SECRET to a whsec_... secret (the same your service reads)');
  process.exit(2);
}

const event = JSON.parse(fs.readFileSync(opt.file || new URL('./sample-event.json', import.meta.url), 'utf8'));
if (opt.now) event.occurred_at = new Date().toISOString();
const body = JSON.stringify(event);
const id = opt.id || 'msg_' + crypto.randomBytes(12).toString('hex');
const timestamp = String(Math.floor(Date.now() / 1000) - opt.age);

// The signed content is "{id}.{timestamp}.{body}", HMAC-SHA256 keyed with the
// base64-decoded part of the secret after "whsec_".
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
const signature = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');

const res = await fetch(opt.url, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  },
  body,
});
console.log(`${id} -> ${res.status} ${await res.text()}`);
