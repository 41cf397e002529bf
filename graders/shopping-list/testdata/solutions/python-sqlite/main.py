"""A shopping-list service that keeps its data in a SQLite file instead of
the database at $DATABASE_URL: the shape of a candidate who reached for the
standard library's sqlite3. Everything else follows the brief, so only the
checks that look at PostgreSQL may fail."""

import json
import os
import re
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DB_PATH = os.path.join("data", "shopping.sqlite")
lock = threading.Lock()


def connect():
    os.makedirs("data", exist_ok=True)
    db = sqlite3.connect(DB_PATH, check_same_thread=False)
    db.execute("PRAGMA foreign_keys = ON")
    return db


def migrate(db):
    """Creates the tables, stores app/data once and doubles the quantities
    once, each step recorded so a restart runs none of them again."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS lists (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS items (
            id INTEGER PRIMARY KEY,
            list_id INTEGER NOT NULL REFERENCES lists (id),
            name TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            price NUMERIC
        );
        """
    )
    done = {row[0] for row in db.execute("SELECT name FROM migrations")}
    if "seed" not in done:
        with open(os.path.join("app", "data", "data.json"), encoding="utf-8") as f:
            lists = json.load(f)
        for lst in lists:
            cur = db.execute("INSERT INTO lists (name) VALUES (?)", (lst["name"],))
            for it in lst["items"]:
                db.execute(
                    "INSERT INTO items (list_id, name, quantity) VALUES (?, ?, ?)",
                    (cur.lastrowid, it["name"], it["quantity"]),
                )
        db.execute("INSERT INTO migrations VALUES ('seed')")
    if "double" not in done:
        db.execute("UPDATE items SET quantity = quantity * 2")
        db.execute("INSERT INTO migrations VALUES ('double')")
    db.commit()


def item_json(row):
    return {"id": row[0], "name": row[1], "quantity": row[2], "price": row[3]}


def load_lists(db, list_id=None):
    where, args = ("WHERE id = ?", (list_id,)) if list_id is not None else ("", ())
    lists = [{"id": r[0], "name": r[1], "items": []} for r in db.execute(f"SELECT id, name FROM lists {where} ORDER BY id", args)]
    by_id = {lst["id"]: lst for lst in lists}
    for r in db.execute("SELECT list_id, id, name, quantity, price FROM items ORDER BY id"):
        if r[0] in by_id:
            by_id[r[0]]["items"].append(item_json(r[1:]))
    return lists


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/shopping-lists":
            with lock:
                return self.reply(200, load_lists(db))
        m = re.fullmatch(r"/shopping-lists/([^/]+)(/items)?", self.path)
        if not m:
            return self.reply(404, {"error": "no such route"})
        lists = []
        if m.group(1).isdigit():
            with lock:
                lists = load_lists(db, int(m.group(1)))
        if not lists:
            return self.reply(404, {"error": "shopping list not found"})
        self.reply(200, lists[0]["items"] if m.group(2) else lists[0])

    def do_PATCH(self):
        m = re.fullmatch(r"/items/([^/]+)", self.path)
        if not m:
            return self.reply(404, {"error": "no such route"})
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        except ValueError:
            return self.reply(400, {"error": "body must be JSON"})
        price = body.get("price") if isinstance(body, dict) else "missing"
        if price is not None and (isinstance(price, bool) or not isinstance(price, (int, float)) or price < 0):
            return self.reply(422, {"error": "price must be a number >= 0 or null"})
        if not m.group(1).isdigit():
            return self.reply(404, {"error": "item not found"})
        with lock:
            db.execute("UPDATE items SET price = ? WHERE id = ?", (price, int(m.group(1))))
            db.commit()
            row = db.execute("SELECT id, name, quantity, price FROM items WHERE id = ?", (int(m.group(1)),)).fetchone()
        if row is None:
            return self.reply(404, {"error": "item not found"})
        self.reply(200, item_json(row))


db = connect()
migrate(db)
ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "3000"))), Handler).serve_forever()
