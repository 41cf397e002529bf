package shoppinglist

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// table is a user table of the candidate's database, in any schema.
type table struct{ Schema, Name string }

// ident is the table as SQL, quoted: names come from the candidate.
func (t table) ident() string { return quoteIdent(t.Schema) + "." + quoteIdent(t.Name) }

// String is the name a candidate recognises ("items", or "app.items").
func (t table) String() string {
	if t.Schema == "public" {
		return t.Name
	}
	return t.Schema + "." + t.Name
}

// MarshalText shows a table by name in evidence, also as a map key.
func (t table) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

type column struct {
	Name     string `json:"name"`
	Type     string `json:"type"` // information_schema data_type
	Nullable bool   `json:"nullable"`
}

// catalog is what the grader reads of the candidate's schema.
type catalog struct {
	columns map[table][]column
	pk      map[table]string // single-column primary keys
	fks     []foreignKey     // single-column foreign keys
}

type foreignKey struct {
	From       table  `json:"from"`
	FromColumn string `json:"from_column"`
	To         table  `json:"to"`
	ToColumn   string `json:"to_column"`
}

const userSchemas = `NOT IN ('pg_catalog', 'information_schema') AND %s NOT LIKE 'pg\_%%'`

func readCatalog(ctx context.Context, db *sql.DB) (*catalog, error) {
	c := &catalog{columns: map[table][]column{}, pk: map[table]string{}}
	rows, err := db.QueryContext(ctx, `
		SELECT c.table_schema, c.table_name, c.column_name, c.data_type, c.is_nullable = 'YES'
		FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE t.table_type = 'BASE TABLE' AND c.table_schema `+fmt.Sprintf(userSchemas, "c.table_schema")+`
		ORDER BY 1, 2, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	for rows.Next() {
		var t table
		var col column
		if err := rows.Scan(&t.Schema, &t.Name, &col.Name, &col.Type, &col.Nullable); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read columns: %w", err)
		}
		c.columns[t] = append(c.columns[t], col)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}

	rows, err = db.QueryContext(ctx, `
		SELECT n.nspname, cl.relname, a.attname
		FROM pg_index i
		JOIN pg_class cl ON cl.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		WHERE i.indisprimary AND i.indnatts = 1 AND n.nspname `+fmt.Sprintf(userSchemas, "n.nspname"))
	if err != nil {
		return nil, fmt.Errorf("read primary keys: %w", err)
	}
	for rows.Next() {
		var t table
		var col string
		if err := rows.Scan(&t.Schema, &t.Name, &col); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read primary keys: %w", err)
		}
		c.pk[t] = col
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read primary keys: %w", err)
	}

	rows, err = db.QueryContext(ctx, `
		SELECT cn.nspname, cl.relname, ca.attname, fn.nspname, fl.relname, fa.attname
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_namespace cn ON cn.oid = cl.relnamespace
		JOIN pg_class fl ON fl.oid = c.confrelid
		JOIN pg_namespace fn ON fn.oid = fl.relnamespace
		JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = c.conkey[1]
		JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
		WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND cn.nspname `+fmt.Sprintf(userSchemas, "cn.nspname"))
	if err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var fk foreignKey
		if err := rows.Scan(&fk.From.Schema, &fk.From.Name, &fk.FromColumn, &fk.To.Schema, &fk.To.Name, &fk.ToColumn); err != nil {
			return nil, fmt.Errorf("read foreign keys: %w", err)
		}
		c.fks = append(c.fks, fk)
	}
	return c, rows.Err()
}

// columnsOf returns the names of t's columns whose type is in kinds.
func (c *catalog) columnsOf(t table, kinds map[string]bool) []string {
	var out []string
	for _, col := range c.columns[t] {
		if kinds[col.Type] {
			out = append(out, col.Name)
		}
	}
	return out
}

func (c *catalog) column(t table, name string) *column {
	for i, col := range c.columns[t] {
		if col.Name == name {
			return &c.columns[t][i]
		}
	}
	return nil
}

var (
	textTypes    = map[string]bool{"text": true, "character varying": true, "character": true}
	integerTypes = map[string]bool{"smallint": true, "integer": true, "bigint": true, "numeric": true}
	// numericTypes count as a price column (contract §3: "any numeric type").
	numericTypes = map[string]bool{"smallint": true, "integer": true, "bigint": true, "numeric": true, "real": true, "double precision": true}
)

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
