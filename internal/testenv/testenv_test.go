package testenv

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestNewDatabaseIsUsableAndDropped(t *testing.T) {
	var dsn string
	t.Run("inner", func(t *testing.T) {
		dsn = NewDatabase(t)
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "create table t (id int)"); err != nil {
			t.Fatal(err)
		}
	})
	if conn, err := pgx.Connect(context.Background(), dsn); err == nil {
		conn.Close(context.Background())
		t.Fatalf("database %s still exists after the test ended", dsn)
	}
}
