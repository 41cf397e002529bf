package shoppinglist

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/assayhq/assay/internal/testenv"
)

// TestDiscover: the tables are recognised whatever the candidate named them,
// with or without a foreign key, and whichever data they hold.
func TestDiscover(t *testing.T) {
	starter, err := starterData()
	if err != nil {
		t.Fatal(err)
	}
	replacement := generate(42)
	sets := []dataSet{{"app/data", replacement}, {"the starter kit", starter}}
	cases := []struct {
		name, ddl    string
		insert       func(db *sql.DB) error
		want         *schema // nil: not found
		wantSet      string
		wantPairsLen int
	}{
		{
			name: "conventional",
			ddl: `CREATE TABLE shopping_lists (id bigserial PRIMARY KEY, name text NOT NULL);
				CREATE TABLE items (id bigserial PRIMARY KEY, list_id bigint NOT NULL REFERENCES shopping_lists(id), name text, quantity int, price numeric);`,
			insert: insertData(replacement, `shopping_lists`, `items (list_id, name, quantity)`),
			want: &schema{Lists: table{"public", "shopping_lists"}, Items: table{"public", "items"}, ListKey: "id", ListName: "name",
				ItemKey: "id", ItemName: "name", ItemQuantity: "quantity", ItemLink: "list_id", ForeignKey: true},
			wantSet: "app/data",
		},
		{
			name: "own names, no foreign key, other schema",
			ddl: `CREATE SCHEMA shop; CREATE TABLE shop.baskets (basket_id serial PRIMARY KEY, note text, title varchar(200));
				CREATE TABLE shop.things (thing_id serial PRIMARY KEY, label text, basket integer, qty smallint);`,
			insert: func(db *sql.DB) error {
				for _, l := range starter {
					var id int
					if err := db.QueryRow(`INSERT INTO shop.baskets (note, title) VALUES ('x', $1) RETURNING basket_id`, l.Name).Scan(&id); err != nil {
						return err
					}
					for _, it := range l.Items {
						if _, err := db.Exec(`INSERT INTO shop.things (label, basket, qty) VALUES ($1, $2, $3)`, it.Name, id, it.Quantity); err != nil {
							return err
						}
					}
				}
				return nil
			},
			want: &schema{Lists: table{"shop", "baskets"}, Items: table{"shop", "things"}, ListKey: "basket_id", ListName: "title",
				ItemKey: "thing_id", ItemName: "label", ItemQuantity: "qty", ItemLink: "basket"},
			wantSet: "the starter kit",
		},
		{
			name: "Prisma style: quoted camelCase names, text ids",
			ddl: `CREATE TABLE "ShoppingList" ("id" text PRIMARY KEY, "name" text NOT NULL);
				CREATE TABLE "Item" ("id" text PRIMARY KEY, "name" text NOT NULL, "quantity" integer NOT NULL,
					"shoppingListId" text NOT NULL REFERENCES "ShoppingList"("id"));`,
			insert: func(db *sql.DB) error {
				for i, l := range replacement {
					listID := fmt.Sprintf("cl%d", i)
					if _, err := db.Exec(`INSERT INTO "ShoppingList" VALUES ($1, $2)`, listID, l.Name); err != nil {
						return err
					}
					for j, it := range l.Items {
						if _, err := db.Exec(`INSERT INTO "Item" VALUES ($1, $2, $3, $4)`, fmt.Sprintf("ci%d-%d", i, j), it.Name, it.Quantity, listID); err != nil {
							return err
						}
					}
				}
				return nil
			},
			want: &schema{Lists: table{"public", "ShoppingList"}, Items: table{"public", "Item"}, ListKey: "id", ListName: "name",
				ItemKey: "id", ItemName: "name", ItemQuantity: "quantity", ItemLink: "shoppingListId", ForeignKey: true},
			wantSet: "app/data",
		},
		{
			name: "empty tables, by shape",
			ddl: `CREATE TABLE lists (id serial PRIMARY KEY, name text);
				CREATE TABLE entries (id serial PRIMARY KEY, list integer REFERENCES lists(id), name text, quantity integer);`,
			insert: func(*sql.DB) error { return nil },
			want: &schema{Lists: table{"public", "lists"}, Items: table{"public", "entries"}, ListKey: "id", ListName: "name",
				ItemKey: "id", ItemName: "name", ItemQuantity: "quantity", ItemLink: "list", ForeignKey: true},
		},
		{
			name:   "one table of JSON",
			ddl:    `CREATE TABLE docs (id serial PRIMARY KEY, body jsonb);`,
			insert: func(*sql.DB) error { return nil },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := sql.Open("pgx", testenv.NewDatabase(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(tc.ddl); err != nil {
				t.Fatal(err)
			}
			if err := tc.insert(db); err != nil {
				t.Fatal(err)
			}
			cat, err := readCatalog(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			got, missing, err := discover(ctx, db, cat, sets)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				if got != nil || missing == "" {
					t.Fatalf("found %+v, want nothing with a reason", got)
				}
				return
			}
			if got == nil {
				t.Fatalf("not found: %s", missing)
			}
			got.Price, got.FoundBy = nil, ""
			if got.Data != tc.wantSet {
				t.Errorf("rows recognised as %q, want %q", got.Data, tc.wantSet)
			}
			got.Data = ""
			if *got != *tc.want {
				t.Fatalf("schema\n got %+v\nwant %+v", *got, *tc.want)
			}
			snap, err := takeSnapshot(ctx, db, got)
			if err != nil {
				t.Fatal(err)
			}
			for _, set := range sets {
				if set.Source == tc.wantSet && fmt.Sprint(snap.pairs()) != fmt.Sprint(dataPairs(set.Lists)) {
					t.Fatalf("snapshot pairs %v, want %v", snap.pairs(), dataPairs(set.Lists))
				}
			}
		})
	}
}

// insertData stores lists into tables named as in listTable and itemTable
// (the latter with its column list: list, name, quantity).
func insertData(lists []List, listTable, itemTable string) func(*sql.DB) error {
	return func(db *sql.DB) error {
		for _, l := range lists {
			var id int64
			if err := db.QueryRow(`INSERT INTO `+listTable+` (name) VALUES ($1) RETURNING id`, l.Name).Scan(&id); err != nil {
				return err
			}
			for _, it := range l.Items {
				if _, err := db.Exec(`INSERT INTO `+itemTable+` VALUES ($1, $2, $3)`, id, it.Name, it.Quantity); err != nil {
					return err
				}
			}
		}
		return nil
	}
}
