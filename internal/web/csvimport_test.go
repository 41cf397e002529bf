package web

import (
	"strings"
	"testing"
)

func TestParseCandidates(t *testing.T) {
	rows, err := parseCandidates("\ufeffName,Email\nAda Lovelace, ADA@example.com\nBad,not-an-email\n\nGrace,ada@example.com\nOne column\n\"Hopper, Grace\",grace@example.com\nEve\x00,eve@example.com\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []csvRow{
		{Line: 2, Name: "Ada Lovelace", Email: "ada@example.com"},
		{Line: 3, Name: "Bad", Email: "not-an-email", Error: "the email must be an address like name@example.com"},
		{Line: 5, Name: "Grace", Email: "ada@example.com", Error: "the same email as line 2"},
		{Line: 6, Name: "One column", Error: "want 2 columns (name, email), found 1"},
		{Line: 7, Name: "Hopper, Grace", Email: "grace@example.com"},
		{Line: 8, Name: "Eve\x00", Email: "eve@example.com", Error: "the name must not contain NUL characters"},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows: %+v", len(rows), rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, rows[i], want[i])
		}
	}
}

func TestParseCandidatesRefusesWholeFile(t *testing.T) {
	for name, src := range map[string]string{
		"empty":    "name,email\n",
		"not csv":  "a,\"b\nc",
		"too many": strings.Repeat("x,x@example.com\n", maxCSVRows+1),
	} {
		if _, err := parseCandidates(src); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
