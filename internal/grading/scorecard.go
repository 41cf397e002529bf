// Package grading is the suite API that take-homes are written against:
// Suite, Grader, C, Service and the Scorecard they produce. It imports no
// sandbox: the engine that fetches, builds and starts a submission is package
// grading/run, which drives a Grader through the Engine and Backend interfaces.
//
// The scorecard types follow the take-home contract §5 field for field; the
// same JSON is stored, served, sent in webhooks and printed by `assay grade`.
package grading

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Scorecard statuses (contract §5): anything but graded means the service
// never got as far as the checks, and Phases says where and why.
const (
	StatusGraded      = "graded"
	StatusBuildFailed = "build_failed"
	StatusStartFailed = "start_failed"
	StatusError       = "error"
)

// Check statuses.
const (
	CheckPassed = "passed"
	CheckFailed = "failed"
	CheckNotRun = "not_run"
)

// Phase statuses.
const (
	PhaseOK      = "ok"
	PhaseFailed  = "failed"
	PhaseError   = "error" // the platform's fault, not the candidate's
	PhaseSkipped = "skipped"
)

// Visibility of a check to the candidate.
const (
	Visible = "visible"
	Hidden  = "hidden"
)

// Scorecard is the result of grading one submission.
type Scorecard struct {
	Takehome     string             `json:"takehome"`
	SuiteVersion string             `json:"suite_version"`
	Status       string             `json:"status"`
	Score        int                `json:"score"`
	MaxScore     int                `json:"max_score"`
	Categories   []CategoryScore    `json:"categories"`
	Phases       []Phase            `json:"phases"`
	Checks       []CheckResult      `json:"checks"`
	Metrics      map[string]float64 `json:"metrics"`
	Seed         int64              `json:"seed"`
	Commit       string             `json:"commit"`
	Notices      []string           `json:"notices"`
	// Mode is how the run treated deviations from the brief (ModeAdaptive
	// or ModeStrict); Adaptations lists what it changed, each priced by a
	// setup check.
	Mode        string       `json:"mode"`
	Adaptations []Adaptation `json:"adaptations"`
	SchemaDump  string       `json:"schema_dump,omitempty"`
}

// CategoryScore is a subtotal.
type CategoryScore struct {
	Name     Category `json:"name"`
	Score    int      `json:"score"`
	MaxScore int      `json:"max_score"`
}

// Phase is one step of running the submission (fetch, build, release, web).
type Phase struct {
	Name       string `json:"name"`
	Status     string `json:"status"`
	DurationMS int64  `json:"duration_ms"`
	ExitCode   int    `json:"exit_code"`
	OutputTail string `json:"output_tail"`
	// Message says in plain words what happened when the phase did not end
	// well ("build exceeded 10 minutes", "exited with status 1").
	Message string `json:"message,omitempty"`
}

// CheckResult is one check's verdict.
type CheckResult struct {
	ID         string         `json:"id"`
	Title      string         `json:"title"`
	Category   Category       `json:"category"`
	Status     string         `json:"status"`
	Score      int            `json:"score"`
	MaxScore   int            `json:"max_score"`
	Message    string         `json:"message"`
	Visibility string         `json:"visibility"`
	Evidence   map[string]any `json:"evidence"`
}

// total recomputes the score, the maximum and the per-category subtotals
// from the checks, in the fixed category order.
func (s *Scorecard) total() {
	s.Score, s.MaxScore = 0, 0
	sub := map[Category]*CategoryScore{}
	for _, c := range s.Checks {
		cs := sub[c.Category]
		if cs == nil {
			cs = &CategoryScore{Name: c.Category}
			sub[c.Category] = cs
		}
		cs.Score += c.Score
		cs.MaxScore += c.MaxScore
		s.Score += c.Score
		s.MaxScore += c.MaxScore
	}
	s.Categories = s.Categories[:0:0]
	for _, cs := range sub {
		s.Categories = append(s.Categories, *cs)
	}
	sort.Slice(s.Categories, func(i, j int) bool {
		return categoryRank(s.Categories[i].Name) < categoryRank(s.Categories[j].Name)
	})
}

// Check returns the verdict of one check, or nil.
func (s *Scorecard) Check(id string) *CheckResult {
	for i := range s.Checks {
		if s.Checks[i].ID == id {
			return &s.Checks[i]
		}
	}
	return nil
}

// ParseScorecard reads a stored scorecard (contract §5 JSON). Numbers in
// evidence stay as written (json.Number), so pages and follow-up questions
// show them as the grader recorded them.
func ParseScorecard(raw []byte) (*Scorecard, error) {
	var sc Scorecard
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("read scorecard: %w", err)
	}
	return &sc, nil
}
