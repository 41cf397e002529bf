package pgwire

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// BenchmarkQuery measures what the proxy adds to a query's round trip: the
// same extended-protocol query, directly and through the proxy.
func BenchmarkQuery(b *testing.B) {
	h := newHarness(b)
	for name, url := range map[string]string{
		"direct": "postgres://postgres@" + h.proxy.Upstream + "/" + h.db + "?sslmode=disable",
		"proxy":  h.url("postgres", h.db),
	} {
		b.Run(name, func(b *testing.B) {
			conn, err := pgx.Connect(context.Background(), url)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close(context.Background())
			var n int
			for b.Loop() {
				if err := conn.QueryRow(context.Background(), "select $1::int", 1).Scan(&n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
