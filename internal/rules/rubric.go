package rules

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/assayhq/assay/internal/store"
)

// Limits of a rubric: a few criteria a person can judge in one reading.
const (
	MaxCriteria       = 8
	MaxCriterionRunes = 60  // a criterion's name
	MaxLevelRunes     = 200 // what one level of a criterion means
)

// Rubric checks an assessment's rubric, trimming its strings in place:
// at most MaxCriteria criteria with distinct names, each level described.
func Rubric(criteria []store.Criterion) error {
	if len(criteria) > MaxCriteria {
		return &Error{"criteria", fmt.Sprintf("must be at most %d", MaxCriteria)}
	}
	seen := map[string]bool{}
	for i := range criteria {
		c := &criteria[i]
		c.Name = strings.TrimSpace(c.Name)
		field := fmt.Sprintf("criteria[%d]", i)
		if n := utf8.RuneCountInString(c.Name); n < 1 || n > MaxCriterionRunes {
			return &Error{field + ".name", fmt.Sprintf("must be 1 to %d characters", MaxCriterionRunes)}
		}
		key := strings.ToLower(c.Name)
		if seen[key] {
			return &Error{field + ".name", fmt.Sprintf("%q is named twice", c.Name)}
		}
		seen[key] = true
		for j := range c.Levels {
			c.Levels[j] = strings.TrimSpace(c.Levels[j])
			if n := utf8.RuneCountInString(c.Levels[j]); n < 1 || n > MaxLevelRunes {
				return &Error{fmt.Sprintf("%s.levels[%d]", field, j), fmt.Sprintf("must be 1 to %d characters", MaxLevelRunes)}
			}
		}
	}
	return nil
}
