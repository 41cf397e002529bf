// A shopping-list service that keeps its lists in memory and never uses the
// database at $DATABASE_URL: every start reads app/data again and doubles
// the quantities of that fresh copy. The routes follow the brief, so only
// the checks that look at PostgreSQL may fail.
const http = require("node:http");
const fs = require("node:fs");

let nextItemId = 1;
const lists = JSON.parse(fs.readFileSync("app/data/data.json", "utf8")).map((l, i) => ({
  id: i + 1,
  name: l.name,
  items: l.items.map((it) => ({ id: nextItemId++, name: it.name, quantity: it.quantity * 2, price: null })),
}));

const send = (res, status, body) => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};

function findItem(id) {
  for (const l of lists) {
    const it = l.items.find((i) => String(i.id) === id);
    if (it) return it;
  }
  return null;
}

http
  .createServer((req, res) => {
    const path = new URL(req.url, "http://localhost").pathname;
    let m;
    if (req.method === "GET" && path === "/shopping-lists") return send(res, 200, lists);
    if (req.method === "GET" && (m = path.match(/^\/shopping-lists\/([^/]+)(\/items)?$/))) {
      const list = lists.find((l) => String(l.id) === m[1]);
      if (!list) return send(res, 404, { error: "shopping list not found" });
      return send(res, 200, m[2] ? list.items : list);
    }
    if (req.method === "PATCH" && (m = path.match(/^\/items\/([^/]+)$/))) {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => {
        let body;
        try {
          body = JSON.parse(raw);
        } catch {
          return send(res, 400, { error: "body must be JSON" });
        }
        const price = body === null ? undefined : body.price;
        if (price !== null && (typeof price !== "number" || !(price >= 0))) {
          return send(res, 422, { error: "price must be a number >= 0 or null" });
        }
        const it = findItem(m[1]);
        if (!it) return send(res, 404, { error: "item not found" });
        it.price = price;
        send(res, 200, it);
      });
      return;
    }
    send(res, 404, { error: "no such route" });
  })
  .listen(Number(process.env.PORT));
