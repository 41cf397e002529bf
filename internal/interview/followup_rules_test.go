package interview

import (
	"testing"

	planetscrud "github.com/assayhq/assay/graders/planets-crud"
	shoppinglist "github.com/assayhq/assay/graders/shopping-list"
	"github.com/assayhq/assay/internal/grading"
)

// TestEveryRuleNamesARealCheck: a rule whose check no suite has would never
// fire, silently (a renamed check id, a typo).
func TestEveryRuleNamesARealCheck(t *testing.T) {
	known := map[string]bool{}
	for _, s := range []*grading.Suite{shoppinglist.Suite, planetscrud.Suite} {
		for _, d := range s.Checks {
			known[d.ID] = true
		}
	}
	for _, r := range followUpRules {
		if !known[r.check] {
			t.Errorf("rule for %s: no shipped suite has that check", r.check)
		}
		if r.status != grading.CheckPassed && r.status != grading.CheckFailed {
			t.Errorf("rule for %s: status %q", r.check, r.status)
		}
		if len(r.strong) < 2 {
			t.Errorf("rule for %s: a strong answer needs at least two points", r.check)
		}
	}
}
