// Package testenv gives tests the real services they need: a PostgreSQL
// database of their own and a Redis database index of their own, both removed
// when the test ends. Tests never share state through these services.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// AdminURL is the PostgreSQL server the tests create databases on.
func AdminURL() string {
	if v := os.Getenv("ASSAY_TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisAddr is the Redis server the tests use.
func RedisAddr() string {
	if v := os.Getenv("ASSAY_TEST_REDIS_ADDR"); v != "" {
		return v
	}
	return "127.0.0.1:6379"
}

// NewDatabase creates an empty database for the test and drops it when the
// test ends. It returns the database's URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := "assay_test_" + randomHex(6)
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("testenv: PostgreSQL is not reachable at %s (run deploy/ensure-services.sh): %v", AdminURL(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(name) })
	u, _ := url.Parse(AdminURL())
	u.Path = "/" + name
	return u.String()
}

func dropDatabase(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

// redisDatabases is how many logical databases a stock Redis offers; index 0
// is left to people running Assay on the same machine.
const redisDatabases = 16

// NewRedisDB reserves an empty Redis database index for the test, flushes it
// when the test ends and returns its redis:// URL and index.
func NewRedisDB(t testing.TB) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lockClient := redis.NewClient(&redis.Options{Addr: RedisAddr()})
	defer lockClient.Close()
	if err := lockClient.Ping(ctx).Err(); err != nil {
		t.Fatalf("testenv: Redis is not reachable at %s (run deploy/ensure-services.sh): %v", RedisAddr(), err)
	}
	owner := randomHex(8)
	for ctx.Err() == nil {
		for db := 1; db < redisDatabases; db++ {
			key := fmt.Sprintf("assay-test-lock:%d", db)
			ok, err := lockClient.SetNX(ctx, key, owner, 30*time.Minute).Result()
			if err != nil {
				t.Fatalf("testenv: reserve redis db: %v", err)
			}
			if !ok {
				continue
			}
			c := redis.NewClient(&redis.Options{Addr: RedisAddr(), DB: db})
			c.FlushDB(ctx)
			c.Close()
			t.Cleanup(func() {
				ctx := context.Background()
				c := redis.NewClient(&redis.Options{Addr: RedisAddr(), DB: db})
				c.FlushDB(ctx)
				c.Close()
				l := redis.NewClient(&redis.Options{Addr: RedisAddr()})
				l.Del(ctx, key)
				l.Close()
			})
			return fmt.Sprintf("redis://%s/%d", RedisAddr(), db), db
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("testenv: no free Redis database index")
	return "", 0
}

// Env returns a getenv function over fixed values, for config.LoadFrom.
func Env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}

// NewRedisClient is a client of a Redis database reserved for the test (see
// NewRedisDB), closed when the test ends.
func NewRedisClient(t testing.TB) *redis.Client {
	t.Helper()
	_, db := NewRedisDB(t)
	c := redis.NewClient(&redis.Options{Addr: RedisAddr(), DB: db})
	t.Cleanup(func() { c.Close() })
	return c
}
