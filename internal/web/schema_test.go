package web

import (
	"strings"
	"testing"
)

// A dump as pg_dump writes it for a small shop.
const shopDump = `--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SELECT pg_catalog.set_config('search_path', '', false);
SET default_tablespace = '';

--
-- Name: products; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.products (
    id bigint NOT NULL,
    name text NOT NULL,
    price numeric(10,2) DEFAULT 0 NOT NULL,
    "<b>odd</b>" text,
    CONSTRAINT price_positive CHECK ((price >= (0)::numeric))
);

CREATE TABLE public.orders (
    id integer NOT NULL,
    product_id bigint
);

ALTER TABLE ONLY public.products ALTER COLUMN id SET DEFAULT nextval('public.products_id_seq'::regclass);

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);

CREATE UNIQUE INDEX products_name_idx ON public.products USING btree (name);
`

func TestParseSchemaReadsTablesColumnsKeysAndIndexes(t *testing.T) {
	tables := parseSchema(shopDump)
	if len(tables) != 2 || tables[0].Name != "products" || tables[1].Name != "orders" {
		t.Fatalf("tables %+v", tables)
	}
	p := tables[0]
	if len(p.Columns) != 4 {
		t.Fatalf("columns %+v", p.Columns)
	}
	id, price, odd := p.Columns[0], p.Columns[2], p.Columns[3]
	if id.Type != "bigint" || !id.NotNull || strings.Join(id.Keys, ",") != "primary key" || !strings.HasPrefix(id.Default, "nextval(") {
		t.Errorf("id %+v", id)
	}
	if price.Type != "numeric(10,2)" || price.Default != "0" || !price.NotNull {
		t.Errorf("price %+v", price)
	}
	if odd.Name != "<b>odd</b>" || odd.Type != "text" || odd.NotNull {
		t.Errorf("quoted column %+v", odd)
	}
	if len(p.Keys) != 2 || !strings.Contains(p.Keys[0], "CHECK") || p.Keys[1] != "PRIMARY KEY (id)" {
		t.Errorf("keys %q", p.Keys)
	}
	if len(p.Indexes) != 1 || p.Indexes[0] != "unique products_name_idx on (name)" {
		t.Errorf("indexes %q", p.Indexes)
	}
	if fk := tables[1].Columns[1]; strings.Join(fk.Keys, ",") != "→ products(id)" {
		t.Errorf("foreign key %+v", fk)
	}
}

func TestRawSchemaDropsThePreamble(t *testing.T) {
	raw := rawSchema(shopDump)
	if strings.Contains(raw, "SET statement_timeout") || strings.Contains(raw, "client_encoding") || strings.Contains(raw, "set_config") || strings.Contains(raw, "\n\n\n") {
		t.Fatalf("raw dump keeps the preamble:\n%s", raw)
	}
	if !strings.Contains(raw, "CREATE TABLE public.products") {
		t.Fatalf("raw dump lost the tables:\n%s", raw)
	}
}
