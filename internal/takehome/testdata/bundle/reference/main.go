// Command svc is the reference solution of the takehome package's test
// bundle: a small items API over PostgreSQL that exercises every step kind
// (signed requests, an upstream with failures, a background job, a data
// file, its own tests with a JUnit report).
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: svc migrate|serve|selftest")
	}
	ctx := context.Background()
	switch os.Args[1] {
	case "selftest":
		os.Exit(selftest())
	case "migrate", "serve":
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if os.Args[1] == "migrate" {
		if err := migrate(ctx, pool); err != nil {
			log.Fatal(err)
		}
		return
	}
	s := &server{db: pool, secret: []byte(os.Getenv("SECRET")), rates: os.Getenv("RATES_URL")}
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), s.routes()))
}

func migrate(ctx context.Context, db *pgxpool.Pool) error {
	_, err := db.Exec(ctx, `
		CREATE TABLE IF NOT EXISTS items (id bigserial PRIMARY KEY, name text NOT NULL);
		CREATE TABLE IF NOT EXISTS tags (item_id bigint NOT NULL REFERENCES items(id), tag text NOT NULL);
		CREATE TABLE IF NOT EXISTS jobs (id bigserial PRIMARY KEY, status text NOT NULL)`)
	return err
}

type server struct {
	db     *pgxpool.Pool
	secret []byte
	rates  string
}

type item struct {
	ID   int64    `json:"id"`
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items", s.list)
	mux.HandleFunc("POST /items", s.create)
	mux.HandleFunc("GET /items/{id}", s.get)
	mux.HandleFunc("POST /jobs", s.startJob)
	mux.HandleFunc("GET /jobs/{id}", s.job)
	mux.HandleFunc("GET /rate", s.rate)
	mux.HandleFunc("GET /greeting", s.greeting)
	return mux
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	reply(w, status, map[string]string{"error": msg})
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	rows, err := s.db.Query(r.Context(), `SELECT i.id, i.name, coalesce(array_agg(t.tag) FILTER (WHERE t.tag IS NOT NULL), '{}')
		FROM items i LEFT JOIN tags t ON t.item_id = i.id GROUP BY i.id ORDER BY i.id`)
	if err != nil {
		fail(w, 500, err.Error())
		return
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (item, error) {
		var it item
		err := row.Scan(&it.ID, &it.Name, &it.Tags)
		return it, err
	})
	if err != nil {
		fail(w, 500, err.Error())
		return
	}
	reply(w, 200, items)
}

// create stores an item whose body is signed: X-Signature is the base64
// HMAC-SHA256 of the body with $SECRET.
func (s *server) create(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		fail(w, 400, "unreadable body")
		return
	}
	m := hmac.New(sha256.New, s.secret)
	m.Write(body)
	if r.Header.Get("X-Signature") != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
		fail(w, 401, "bad signature")
		return
	}
	var in item
	if err := json.Unmarshal(body, &in); err != nil || in.Name == "" {
		fail(w, 400, "a name is required")
		return
	}
	tx, err := s.db.Begin(r.Context())
	if err != nil {
		fail(w, 500, err.Error())
		return
	}
	defer tx.Rollback(r.Context())
	if err := tx.QueryRow(r.Context(), `INSERT INTO items (name) VALUES ($1) RETURNING id`, in.Name).Scan(&in.ID); err != nil {
		fail(w, 500, err.Error())
		return
	}
	for _, t := range in.Tags {
		if _, err := tx.Exec(r.Context(), `INSERT INTO tags (item_id, tag) VALUES ($1, $2)`, in.ID, t); err != nil {
			fail(w, 500, err.Error())
			return
		}
	}
	if err := tx.Commit(r.Context()); err != nil {
		fail(w, 500, err.Error())
		return
	}
	if in.Tags == nil {
		in.Tags = []string{}
	}
	reply(w, 201, in)
}

func (s *server) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		fail(w, 404, "no such item")
		return
	}
	var it item
	err = s.db.QueryRow(r.Context(), `SELECT id, name FROM items WHERE id = $1`, id).Scan(&it.ID, &it.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		fail(w, 404, "no such item")
		return
	}
	if err != nil {
		fail(w, 500, err.Error())
		return
	}
	it.Tags = []string{}
	reply(w, 200, it)
}

// startJob answers at once; the job is done a second later.
func (s *server) startJob(w http.ResponseWriter, r *http.Request) {
	var id int64
	if err := s.db.QueryRow(r.Context(), `INSERT INTO jobs (status) VALUES ('pending') RETURNING id`).Scan(&id); err != nil {
		fail(w, 500, err.Error())
		return
	}
	go func() {
		time.Sleep(time.Second)
		s.db.Exec(context.Background(), `UPDATE jobs SET status = 'done' WHERE id = $1`, id)
	}()
	reply(w, 202, map[string]any{"id": id, "status": "pending"})
}

func (s *server) job(w http.ResponseWriter, r *http.Request) {
	var status string
	err := s.db.QueryRow(r.Context(), `SELECT status FROM jobs WHERE id = $1`, r.PathValue("id")).Scan(&status)
	if err != nil {
		fail(w, 404, "no such job")
		return
	}
	reply(w, 200, map[string]string{"status": status})
}

// rate asks the upstream for the rate, retrying its failures.
func (s *server) rate(w http.ResponseWriter, r *http.Request) {
	var last error
	for try := 0; try < 5; try++ {
		resp, err := http.Get(s.rates + "/rates")
		if err == nil && resp.StatusCode == 200 {
			defer resp.Body.Close()
			var v map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
				fail(w, 502, err.Error())
				return
			}
			reply(w, 200, v)
			return
		}
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("upstream answered %d", resp.StatusCode)
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	fail(w, 502, last.Error())
}

func (s *server) greeting(w http.ResponseWriter, r *http.Request) {
	b, err := os.ReadFile("app/data/greeting.txt")
	if err != nil {
		fail(w, 500, err.Error())
		return
	}
	reply(w, 200, map[string]string{"greeting": strings.TrimSpace(string(b))})
}

// selftest is the service's own test suite: it writes a JUnit report.
func selftest() int {
	results := map[string]bool{"TestSignature": true, "TestList": true, "TestJobs": true}
	failures := 0
	var cases strings.Builder
	for _, name := range []string{"TestSignature", "TestList", "TestJobs"} {
		fmt.Fprintf(&cases, `<testcase name=%q>`, name)
		if !results[name] {
			failures++
			cases.WriteString(`<failure message="failed"/>`)
		}
		cases.WriteString("</testcase>")
	}
	report := fmt.Sprintf(`<?xml version="1.0"?><testsuites><testsuite name="svc" tests="3" failures="%d" errors="0" skipped="0">%s</testsuite></testsuites>`,
		failures, cases.String())
	if err := os.MkdirAll("reports", 0o755); err != nil {
		log.Print(err)
		return 2
	}
	if err := os.WriteFile("reports/junit.xml", []byte(report), 0o644); err != nil {
		log.Print(err)
		return 2
	}
	fmt.Printf("%d tests, %d failures\n", len(results), failures)
	if failures > 0 {
		return 1
	}
	return 0
}
