package run

import "testing"

func TestDefaultSeed(t *testing.T) {
	a, b := defaultSeed("abc"), defaultSeed("abc")
	if a != b || a <= 0 || a == defaultSeed("abd") {
		t.Fatalf("seeds %d %d %d", a, b, defaultSeed("abd"))
	}
}
