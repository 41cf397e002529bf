package shoppinglist

import "testing"

func TestMissingAndMalformedIDs(t *testing.T) {
	cases := []struct {
		existing     []string
		missing      string
		malformed    string
		hasMalformed bool
	}{
		{[]string{"3", "9", "1"}, "1009", "not-an-id", true},
		{[]string{"7c0d5a6e-0000-4000-8000-000000000000", "0b9e7f5c-1111-4000-8000-000000000000"}, "7c0d5a6e-0000-4000-8000-000000000001", "not-an-id", true},
		{[]string{"weekly", "bbq"}, "assay-missing-00", "", false},
	}
	for _, tc := range cases {
		if got := missingID(tc.existing); got != tc.missing {
			t.Errorf("missingID(%v) = %q, want %q", tc.existing, got, tc.missing)
		}
		got, ok := malformedID(tc.existing)
		if got != tc.malformed || ok != tc.hasMalformed {
			t.Errorf("malformedID(%v) = %q, %v", tc.existing, got, ok)
		}
	}
}

func TestQuantityFactor(t *testing.T) {
	original := map[pair]int{{"L", "a"}: 2, {"L", "b"}: 5}
	snap := func(qa, qb string) *snapshot {
		return &snapshot{Lists: map[string]string{"1": "L"}, Items: []storedItem{
			{ListID: "1", Name: "a", Quantity: qa}, {ListID: "1", Name: "b", Quantity: qb}, {ListID: "1", Name: "extra", Quantity: "1"},
		}}
	}
	cases := []struct {
		qa, qb    string
		factor    int
		wrongItem bool
	}{
		{"4", "10", 2, false},
		{"2", "5", 1, true},
		{"16", "40", 8, true},
		{"4", "11", 0, true},
	}
	for _, tc := range cases {
		factor, wrong, sample := quantityFactor(snap(tc.qa, tc.qb), original)
		if factor != tc.factor || (wrong != "") != tc.wrongItem || sample == "" {
			t.Errorf("quantities %s, %s: factor %d, wrong %q, sample %q", tc.qa, tc.qb, factor, wrong, sample)
		}
	}
	if factor, wrong, _ := quantityFactor(&snapshot{}, original); factor != 0 || wrong == "" {
		t.Errorf("nothing stored: factor %d, wrong %q", factor, wrong)
	}
}
