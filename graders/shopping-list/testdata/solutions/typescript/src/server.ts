import http from "node:http";
import { loadLists, setPrice } from "./store";

type Reply = { status: number; body: unknown };

const notFound = (what: string): Reply => ({ status: 404, body: { error: `${what} not found` } });

// Ids are serial integers; anything else names nothing (404).
function parseId(raw: string): number | null {
  return /^[0-9]{1,9}$/.test(raw) ? Number(raw) : null;
}

async function readJSON(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function route(req: http.IncomingMessage): Promise<Reply> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  let m: RegExpMatchArray | null;
  if (req.method === "GET" && path === "/shopping-lists") {
    return { status: 200, body: await loadLists() };
  }
  if (req.method === "GET" && (m = path.match(/^\/shopping-lists\/([^/]+)(\/items)?$/))) {
    const id = parseId(m[1]);
    const lists = id === null ? [] : await loadLists(id);
    if (lists.length === 0) return notFound("shopping list");
    return { status: 200, body: m[2] ? lists[0].items : lists[0] };
  }
  if (req.method === "PATCH" && (m = path.match(/^\/items\/([^/]+)$/))) {
    const id = parseId(m[1]);
    let body: unknown;
    try {
      body = await readJSON(req);
    } catch {
      return { status: 400, body: { error: "body must be JSON" } };
    }
    const price = (body as { price?: unknown } | null)?.price;
    if (price !== null && (typeof price !== "number" || !(price >= 0))) {
      return { status: 422, body: { error: "price must be a number >= 0 or null" } };
    }
    const item = id === null ? null : await setPrice(id, price);
    return item ? { status: 200, body: item } : notFound("item");
  }
  return { status: 404, body: { error: "no such route" } };
}

http
  .createServer((req, res) => {
    route(req)
      .catch((err): Reply => {
        console.error(err);
        return { status: 500, body: { error: "internal error" } };
      })
      .then(({ status, body }) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      });
  })
  .listen(Number(process.env.PORT));
