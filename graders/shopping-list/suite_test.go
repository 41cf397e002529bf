package shoppinglist

import "testing"

func TestSuiteValid(t *testing.T) {
	if err := Suite.Validate(); err != nil {
		t.Fatal(err)
	}
}
