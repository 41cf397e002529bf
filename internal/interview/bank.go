// Package interview is the live half of an assessment: the question bank
// shipped with Assay, the questions of an organisation's own, and the
// follow-up questions written from a candidate's scorecard. It knows no
// database: the store keeps kits and interview scorecards, the front ends
// show them.
package interview

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"

	"github.com/goccy/go-yaml"
)

// Levels of seniority a question is written for.
const (
	Junior       = "junior"
	Intermediate = "intermediate"
	Senior       = "senior"
)

// Kinds of question.
const (
	Technical   = "technical"
	CodeReading = "code_reading"
	Situational = "situational"
	Behavioural = "behavioural"
)

var (
	// Levels lists the levels in order of seniority.
	Levels = []string{Junior, Intermediate, Senior}
	// Kinds lists the kinds of question.
	Kinds = []string{Technical, CodeReading, Situational, Behavioural}
	// Topics lists what the questions are about; the take-homes measure the
	// technical ones, the behavioural ones are how the work gets done.
	Topics = []string{"sql_injection", "n_plus_one", "indexes", "migrations", "idempotency", "retries",
		"rate_limiting", "webhooks", "rest", "scaling", "testing", "error_handling", "data_modelling",
		"configuration", "data_types", "code_review", "ownership", "collaboration"}
)

// RatingMin and RatingMax bound an interviewer's rating of one answer: 1 none
// of the strong answer's points, 4 all of them and more.
const (
	RatingMin = 1
	RatingMax = 4
)

// ShippedPrefix starts the id of every question of the shipped bank, so an
// id says where to look it up: the bank, or the organisation's questions.
const ShippedPrefix = "bank:"

// Question is one interview question with what the interviewer needs to
// judge the answer.
type Question struct {
	ID           string   `yaml:"id" json:"id"`
	Level        string   `yaml:"level" json:"level"`
	Kind         string   `yaml:"kind" json:"kind"`
	Topic        string   `yaml:"topic" json:"topic"`
	Prompt       string   `yaml:"prompt" json:"prompt"`
	Evaluates    string   `yaml:"evaluates" json:"evaluates"`
	StrongAnswer []string `yaml:"strong_answer" json:"strong_answer"`
	RedFlags     []string `yaml:"red_flags" json:"red_flags"`
	FollowUps    []string `yaml:"follow_ups" json:"follow_ups"`
	// Shipped is true for the bank's questions, which nobody edits (copy to edit).
	Shipped bool `yaml:"-" json:"shipped"`
}

//go:embed bank.yaml
var bankYAML []byte

var loadBank = sync.OnceValues(func() ([]Question, error) { return parseBank(bankYAML) })

// Bank returns the shipped questions in the bank's order. The bank is
// embedded and checked by its tests, so an error here is a build defect.
func Bank() []Question {
	qs, err := loadBank()
	if err != nil {
		panic(err)
	}
	return slices.Clone(qs)
}

// Shipped finds a question of the bank by its id ("bank:...").
func Shipped(id string) (Question, bool) {
	for _, q := range Bank() {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// parseBank reads the bank strictly: an unknown or missing field, an unknown
// level, kind or topic, or an id used twice is an error.
func parseBank(raw []byte) ([]Question, error) {
	var doc struct {
		Questions []Question `yaml:"questions"`
	}
	if err := yaml.UnmarshalWithOptions(raw, &doc, yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("question bank: %w", err)
	}
	seen := map[string]bool{}
	for i := range doc.Questions {
		q := &doc.Questions[i]
		q.ID = ShippedPrefix + q.ID
		if err := q.complete(); err != nil {
			return nil, fmt.Errorf("question bank: question %d (%s): %w", i+1, q.ID, err)
		}
		if seen[q.ID] {
			return nil, fmt.Errorf("question bank: id %s used twice", q.ID)
		}
		seen[q.ID] = true
		q.Shipped = true
	}
	return doc.Questions, nil
}

// complete says what a shipped question lacks: every field is required.
func (q *Question) complete() error {
	switch {
	case q.ID == ShippedPrefix:
		return fmt.Errorf("no id")
	case !slices.Contains(Levels, q.Level):
		return fmt.Errorf("level %q is not one of %v", q.Level, Levels)
	case !slices.Contains(Kinds, q.Kind):
		return fmt.Errorf("kind %q is not one of %v", q.Kind, Kinds)
	case !slices.Contains(Topics, q.Topic):
		return fmt.Errorf("topic %q is not one of %v", q.Topic, Topics)
	case q.Prompt == "" || q.Evaluates == "":
		return fmt.Errorf("prompt and evaluates are required")
	case len(q.StrongAnswer) < 2:
		return fmt.Errorf("a strong answer needs at least two points")
	case len(q.RedFlags) == 0:
		return fmt.Errorf("red_flags are required")
	case len(q.FollowUps) == 0 || len(q.FollowUps) > 2:
		return fmt.Errorf("one or two follow_ups are required")
	}
	return nil
}

// Filter is which questions a list shows; an empty field matches all.
type Filter struct {
	Level, Kind, Topic string
}

// Match reports whether q passes the filter.
func (f Filter) Match(q Question) bool {
	return (f.Level == "" || q.Level == f.Level) && (f.Kind == "" || q.Kind == f.Kind) &&
		(f.Topic == "" || q.Topic == f.Topic)
}

// Select keeps the questions that pass f, in order.
func Select(qs []Question, f Filter) []Question {
	var out []Question
	for _, q := range qs {
		if f.Match(q) {
			out = append(out, q)
		}
	}
	return out
}
