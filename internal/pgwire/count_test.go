package pgwire

import "testing"

func TestStatementCount(t *testing.T) {
	cases := []struct {
		sql  string
		want int64
	}{
		{"", 0},
		{"  ;; ; ", 0},
		{"select 1", 1},
		{"select 1;", 1},
		{"select 1; select 2", 2},
		{"select 1;select 2;select 3;", 3},
		{"select ';' ; select 2", 2},
		{"select 'it''s; here'; select 2", 2},
		{`select E'\'; still'; select 2`, 2},
		{`select 'a\'; select 2`, 2}, // standard strings: backslash is literal
		{`select "a;b" from t; select 2`, 2},
		{"select $$;$$; select 2", 2},
		{"select $fn$ ; $x$ ; $fn$; select 2", 2},
		{"create function f() returns int as $body$ select 1; select 2; $body$ language sql; select f()", 2},
		{"select $1; select 2", 2},
		{"select a$b; select 2", 2},
		{"-- only a comment", 0},
		{"-- c;\nselect 1; -- trailing; comment", 1},
		{"/* a; /* nested; */ still; */ select 1", 1},
		{"/* c */ ; /* d */", 0},
		{"select 1 - 2; select 4/2", 2},
		{"select 1 -", 1},
		{"select '日本;語'; select 2", 2},
		{"BEGIN; INSERT INTO t VALUES (1); COMMIT;", 3},
	}
	for _, tc := range cases {
		var c stmtCounter
		c.Write([]byte(tc.sql))
		if got := c.Count(); got != tc.want {
			t.Errorf("%q: counted %d statements, want %d", tc.sql, got, tc.want)
		}
		// Byte by byte must give the same answer: the proxy sees the query in pieces.
		var d stmtCounter
		for i := range len(tc.sql) {
			d.Write([]byte{tc.sql[i]})
		}
		if got := d.Count(); got != tc.want {
			t.Errorf("%q fed bytewise: counted %d statements, want %d", tc.sql, got, tc.want)
		}
	}
}

func FuzzStatementCountChunking(f *testing.F) {
	f.Add("select 1; select $a$;$a$; -- x\n select 'a;'", 3)
	f.Fuzz(func(t *testing.T, sql string, cut int) {
		var whole stmtCounter
		whole.Write([]byte(sql))
		if cut < 0 || cut > len(sql) {
			cut = len(sql) / 2
		}
		var parts stmtCounter
		parts.Write([]byte(sql[:cut]))
		parts.Write([]byte(sql[cut:]))
		if a, b := whole.Count(), parts.Count(); a != b {
			t.Fatalf("%q: %d whole, %d in two pieces", sql, a, b)
		}
	})
}
