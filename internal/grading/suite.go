package grading

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"regexp"
)

// Category groups checks on the scorecard (contract §4).
type Category string

// The categories of a take-home's own checks, in the order scorecards show
// them, after Setup (setup.go).
const (
	Correctness Category = "correctness"
	Migrations  Category = "migrations"
	Endpoints   Category = "endpoints"
	Quality     Category = "quality"
)

func categoryRank(c Category) int {
	switch c {
	case Setup:
		return 0
	case Correctness:
		return 1
	case Migrations:
		return 2
	case Endpoints:
		return 3
	case Quality:
		return 4
	}
	return 5
}

// CheckDef declares one check of a suite. IDs are stable across suite
// versions: reviewers and the ATS compare scorecards on them.
type CheckDef struct {
	ID         string
	Title      string
	Category   Category
	Points     int
	Visibility string // Visible or Hidden
}

// Suite is one take-home: its brief, starter kit and the checks that grade it.
type Suite struct {
	Slug, Version, Title string
	Brief                string // BRIEF.md, embedded
	Starter              fs.FS  // starter kit files, served zipped
	ReadyPath            string // the list route polled for readiness ("/planets")
	Checks               []CheckDef
	// Prepare runs after the fetch and before the build, for example to
	// write the take-home's data files into the checkout. Optional.
	Prepare func(ctx context.Context, p *Prep) error
	// Grade drives the service and records a verdict for each check. An error
	// it returns (other than from a failed first Start) is the grader's fault
	// and makes the scorecard's status "error".
	Grade func(ctx context.Context, g *Grader) error
}

// Prep is what Prepare may use: the run's seed and the checkout, opened as an
// os.Root so that a symlink in the candidate's tree never leads outside it.
type Prep struct {
	Seed     int64
	Checkout *os.Root
	// Message, set by Prepare, is the prepare phase's message: what it
	// wrote, or why it wrote nothing.
	Message string
	// Found, set by Prepare, is what it learnt of the checkout that Grade
	// needs (the repository's own data files, say): Grader.Prepared.
	Found any
}

var checkIDPattern = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)

// Validate reports a suite that cannot be graded fairly: points that do not
// add up to 100, duplicate or malformed ids, unknown categories.
func (s *Suite) Validate() error {
	if s.Slug == "" || s.Version == "" || s.ReadyPath == "" || s.Grade == nil {
		return fmt.Errorf("suite %q: slug, version, ready path and grade are required", s.Slug)
	}
	seen := map[string]bool{}
	total := 0
	for _, c := range s.Checks {
		if !checkIDPattern.MatchString(c.ID) {
			return fmt.Errorf("suite %s: check id %q is not of the form area.name", s.Slug, c.ID)
		}
		if seen[c.ID] {
			return fmt.Errorf("suite %s: check %s declared twice", s.Slug, c.ID)
		}
		seen[c.ID] = true
		if categoryRank(c.Category) > 4 {
			return fmt.Errorf("suite %s: check %s has unknown category %q", s.Slug, c.ID, c.Category)
		}
		if c.Visibility != Visible && c.Visibility != Hidden {
			return fmt.Errorf("suite %s: check %s visibility %q is not visible or hidden", s.Slug, c.ID, c.Visibility)
		}
		if c.Points <= 0 || c.Title == "" {
			return fmt.Errorf("suite %s: check %s needs a title and positive points", s.Slug, c.ID)
		}
		total += c.Points
	}
	if total != 100 {
		return fmt.Errorf("suite %s: points add up to %d, want 100", s.Slug, total)
	}
	for _, want := range SetupChecks() {
		if got, ok := s.check(want.ID); !ok || got != want {
			return fmt.Errorf("suite %s: declare the setup check %s as grading.SetupChecks gives it", s.Slug, want.ID)
		}
	}
	return nil
}

func (s *Suite) check(id string) (CheckDef, bool) {
	for _, c := range s.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return CheckDef{}, false
}
