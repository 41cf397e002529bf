package web

import (
	"regexp"
	"strings"
)

// schemaTable is one table of a `pg_dump --schema-only` dump laid out for
// a reviewer: its columns with their types and keys, and its indexes.
type schemaTable struct {
	Name    string
	Columns []schemaColumn
	Keys    []string // constraints over the table: "primary key (id)", "unique (email)", checks
	Indexes []string // "products_name_idx on (name)", "unique ... "
}

type schemaColumn struct {
	Name, Type, Default string
	NotNull             bool
	Keys                []string // "primary key", "unique", "→ products(id)"
}

// parseSchema reads the tables out of a schema dump. It understands what
// pg_dump writes (CREATE TABLE, ALTER TABLE ... ADD CONSTRAINT, CREATE
// INDEX, column defaults set later); a statement it does not know is left to
// the raw dump, which stays one click away.
func parseSchema(dump string) []schemaTable {
	var tables []schemaTable
	index := map[string]int{}
	table := func(name string) *schemaTable {
		name = unquote(strings.TrimPrefix(name, "public."))
		i, ok := index[name]
		if !ok {
			i = len(tables)
			index[name] = i
			tables = append(tables, schemaTable{Name: name})
		}
		return &tables[i]
	}
	for _, stmt := range statements(dump) {
		switch {
		case createTable.MatchString(stmt):
			m := createTable.FindStringSubmatch(stmt)
			t := table(m[1])
			for _, part := range splitTop(m[2]) {
				if constraintStart.MatchString(part) {
					t.Keys = append(t.Keys, constraintText(part))
					continue
				}
				if col, ok := parseColumn(part); ok {
					t.Columns = append(t.Columns, col)
				}
			}
		case addConstraint.MatchString(stmt):
			m := addConstraint.FindStringSubmatch(stmt)
			t, body := table(m[1]), m[2]
			t.Keys = append(t.Keys, constraintText(body))
			markColumns(t, body)
		case createIndex.MatchString(stmt):
			m := createIndex.FindStringSubmatch(stmt)
			t := table(m[3])
			what := m[2] + " on " + m[4]
			if m[1] != "" {
				what = "unique " + what
			}
			t.Indexes = append(t.Indexes, what)
		case setDefault.MatchString(stmt):
			m := setDefault.FindStringSubmatch(stmt)
			t := table(m[1])
			for i := range t.Columns {
				if t.Columns[i].Name == unquote(m[2]) {
					t.Columns[i].Default = m[3]
				}
			}
		}
	}
	return tables
}

var (
	createTable     = regexp.MustCompile(`(?is)^CREATE (?:UNLOGGED )?TABLE (\S+) \((.*)\)$`)
	addConstraint   = regexp.MustCompile(`(?is)^ALTER TABLE (?:ONLY )?(\S+) ADD CONSTRAINT \S+ (.*)$`)
	createIndex     = regexp.MustCompile(`(?is)^CREATE (UNIQUE )?INDEX (\S+) ON (?:ONLY )?(\S+)(?: USING \w+)? (\(.*\))$`)
	setDefault      = regexp.MustCompile(`(?is)^ALTER TABLE (?:ONLY )?(\S+) ALTER COLUMN (\S+) SET DEFAULT (.*)$`)
	constraintStart = regexp.MustCompile(`(?i)^(CONSTRAINT|PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK|EXCLUDE)\b`)
	// columnAttr is where a column's type ends and its attributes begin.
	columnAttr = regexp.MustCompile(`(?i)\s(NOT NULL|NULL|DEFAULT|CONSTRAINT|PRIMARY KEY|REFERENCES|UNIQUE|CHECK|COLLATE|GENERATED)\b`)
	fkRef      = regexp.MustCompile(`(?i)FOREIGN KEY \(([^)]*)\) REFERENCES (\S+?\([^)]*\))`)
	keyCols    = regexp.MustCompile(`(?i)^(PRIMARY KEY|UNIQUE) \(([^)]*)\)`)
	spaces     = regexp.MustCompile(`\s+`)
	// constraintName is left out of a key's text: the columns say more.
	constraintName = regexp.MustCompile(`(?i)^CONSTRAINT \S+ `)
)

// statements splits a dump into its statements, comments dropped and
// whitespace made single spaces.
func statements(dump string) []string {
	var b strings.Builder
	for _, line := range strings.Split(dump, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	var out []string
	for _, s := range strings.Split(b.String(), ";\n") {
		if s = strings.TrimSpace(spaces.ReplaceAllString(s, " ")); s != "" {
			out = append(out, strings.TrimSuffix(s, ";"))
		}
	}
	return out
}

// splitTop splits a table body at its top-level commas (not those inside
// numeric(10,2) or a CHECK's parentheses).
func splitTop(body string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range body {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(body[start:i]))
				start = i + 1
			}
		}
	}
	return append(parts, strings.TrimSpace(body[start:]))
}

func parseColumn(def string) (schemaColumn, bool) {
	name, rest, ok := cutIdent(def)
	if !ok {
		return schemaColumn{}, false
	}
	col := schemaColumn{Name: name, Type: rest}
	if loc := columnAttr.FindStringIndex(" " + rest); loc != nil {
		col.Type = strings.TrimSpace(rest[:max(loc[0]-1, 0)])
		attrs := rest[max(loc[0]-1, 0):]
		up := strings.ToUpper(attrs)
		col.NotNull = strings.Contains(up, "NOT NULL") || strings.Contains(up, "PRIMARY KEY")
		if i := strings.Index(up, "DEFAULT "); i >= 0 {
			d := attrs[i+len("DEFAULT "):]
			if j := columnAttr.FindStringIndex(d); j != nil {
				d = d[:j[0]]
			}
			col.Default = strings.TrimSpace(d)
		}
		if strings.Contains(up, "PRIMARY KEY") {
			col.Keys = append(col.Keys, "primary key")
		}
		if strings.Contains(up, "UNIQUE") {
			col.Keys = append(col.Keys, "unique")
		}
		if i := strings.Index(up, "REFERENCES "); i >= 0 {
			col.Keys = append(col.Keys, "→ "+strings.TrimPrefix(strings.Fields(attrs[i:])[1], "public."))
		}
	}
	return col, true
}

// cutIdent takes the leading identifier (quoted or not) off s.
func cutIdent(s string) (ident, rest string, ok bool) {
	if strings.HasPrefix(s, `"`) {
		end := strings.Index(s[1:], `"`)
		if end < 0 {
			return "", "", false
		}
		return s[1 : end+1], strings.TrimSpace(s[end+2:]), true
	}
	ident, rest, _ = strings.Cut(s, " ")
	return ident, strings.TrimSpace(rest), ident != ""
}

// markColumns notes a table constraint on the columns it covers.
func markColumns(t *schemaTable, body string) {
	mark := func(cols, key string) {
		for _, c := range strings.Split(cols, ",") {
			c = unquote(strings.TrimSpace(c))
			for i := range t.Columns {
				if t.Columns[i].Name == c {
					t.Columns[i].Keys = append(t.Columns[i].Keys, key)
					t.Columns[i].NotNull = t.Columns[i].NotNull || key == "primary key"
				}
			}
		}
	}
	if m := fkRef.FindStringSubmatch(body); m != nil {
		mark(m[1], "→ "+strings.TrimPrefix(m[2], "public."))
	} else if m := keyCols.FindStringSubmatch(body); m != nil {
		mark(m[2], strings.ToLower(m[1]))
	}
}

func constraintText(s string) string {
	s = constraintName.ReplaceAllString(s, "")
	return strings.ReplaceAll(s, "public.", "")
}

func unquote(s string) string { return strings.Trim(s, `"`) }

// rawSchema is the dump as a reviewer reads it: without pg_dump's SET
// preamble and set_config line, and without runs of blank lines.
func rawSchema(dump string) string {
	var out []string
	blank := false
	for _, line := range strings.Split(dump, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "SET ") || strings.HasPrefix(t, "SELECT pg_catalog.set_config(") {
			continue
		}
		if t == "" {
			if blank || len(out) == 0 {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
