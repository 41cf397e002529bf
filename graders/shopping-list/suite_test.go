package shoppinglist

import (
	"io/fs"
	"strings"
	"testing"
)

func TestSuiteValid(t *testing.T) {
	if err := Suite.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestStarterKit: the kit candidates download holds what the brief promises.
func TestStarterKit(t *testing.T) {
	for _, name := range []string{"README.md", "Procfile.example", "app/data/data.ts", "app/data/data.json"} {
		if _, err := fs.Stat(Suite.Starter, name); err != nil {
			t.Errorf("starter kit: %v", err)
		}
	}
	for _, phrase := range []string{"replaces the data", "app/data/data.json", "$PORT", "DATABASE_URL", "PATCH /items/{id}", "at least 8"} {
		if !strings.Contains(Suite.Brief, phrase) {
			t.Errorf("the brief does not mention %q", phrase)
		}
	}
}
