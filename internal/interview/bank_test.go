package interview

import (
	"strings"
	"testing"
)

// TestShippedBankLoads: the embedded bank parses strictly, every question
// has every field, ids are unique, and every level, kind and topic is used.
func TestShippedBankLoads(t *testing.T) {
	qs, err := parseBank(bankYAML)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 55 {
		t.Fatalf("%d questions, want about 60", len(qs))
	}
	seen := map[string]bool{}
	used := map[string]bool{}
	for _, q := range qs {
		if seen[q.ID] {
			t.Errorf("id %s twice", q.ID)
		}
		seen[q.ID] = true
		if !q.Shipped || !strings.HasPrefix(q.ID, ShippedPrefix) {
			t.Errorf("%s: not marked as shipped", q.ID)
		}
		if q.Prompt == "" || q.Evaluates == "" || len(q.StrongAnswer) < 2 || len(q.RedFlags) == 0 || len(q.FollowUps) == 0 {
			t.Errorf("%s: a field is empty: %+v", q.ID, q)
		}
		for _, s := range append(append(append([]string{}, q.StrongAnswer...), q.RedFlags...), q.FollowUps...) {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: an empty point", q.ID)
			}
		}
		used[q.Level], used[q.Kind], used[q.Topic] = true, true, true
	}
	for _, v := range append(append(append([]string{}, Levels...), Kinds...), Topics...) {
		if !used[v] {
			t.Errorf("no question is %s", v)
		}
	}
	if q, ok := Shipped("bank:n1-explain"); !ok || q.Topic != "n_plus_one" {
		t.Errorf("Shipped(bank:n1-explain) = %+v, %v", q, ok)
	}
}

// TestBankParsingIsStrict: an unknown field, a missing field, an unknown
// topic and a repeated id are each refused with what is wrong.
func TestBankParsingIsStrict(t *testing.T) {
	const good = `  - id: a
    level: junior
    kind: technical
    topic: indexes
    prompt: "P"
    evaluates: "E"
    strong_answer: ["x", "y"]
    red_flags: ["r"]
    follow_ups: ["f"]
`
	for name, tc := range map[string]struct{ doc, says string }{
		"unknown field":    {"questions:\n" + good + "    colour: blue\n", "colour"},
		"missing field":    {"questions:\n" + strings.Replace(good, "    red_flags: [\"r\"]\n", "", 1), "red_flags"},
		"unknown topic":    {"questions:\n" + strings.Replace(good, "indexes", "astrology", 1), "astrology"},
		"repeated id":      {"questions:\n" + good + good, "twice"},
		"three follow-ups": {"questions:\n" + strings.Replace(good, `["f"]`, `["f", "g", "h"]`, 1), "follow_ups"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseBank([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %v, want one that says %q", err, tc.says)
			}
		})
	}
	if qs, err := parseBank([]byte("questions:\n" + good)); err != nil || len(qs) != 1 {
		t.Fatalf("a good bank: %v", err)
	}
}

func TestFilter(t *testing.T) {
	all := Bank()
	got := Select(all, Filter{Level: Senior, Topic: "webhooks"})
	if len(got) == 0 {
		t.Fatal("no senior webhook question")
	}
	for _, q := range got {
		if q.Level != Senior || q.Topic != "webhooks" {
			t.Errorf("filter let through %s (%s, %s)", q.ID, q.Level, q.Topic)
		}
	}
	if n := len(Select(all, Filter{})); n != len(all) {
		t.Errorf("an empty filter kept %d of %d", n, len(all))
	}
}
