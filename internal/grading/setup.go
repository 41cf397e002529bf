package grading

import "strings"

// Setup is the category that prices what the engine had to change to run a
// repository that did not follow the brief (contract §1a). It comes first on
// the scorecard: a reviewer learns how the service was run before what it did.
const Setup Category = "setup"

// Grading modes of an assessment (contract §1a).
const (
	// ModeAdaptive runs a repository the way a person grading by hand would
	// make it run, and prices each adaptation in the setup category.
	ModeAdaptive = "adaptive"
	// ModeStrict follows the brief to the letter: the run stops at the
	// first deviation, with the reason.
	ModeStrict = "strict"
)

// ValidMode reports whether m names a grading mode.
func ValidMode(m string) bool { return m == ModeAdaptive || m == ModeStrict }

// The setup checks every suite declares, worth 10 points together, the same
// for every take-home. Each passes when the repository followed the brief on
// its point and fails with the adaptation's line when the engine had to adapt:
// one deviation costs its check once, and nothing else pays for it.
var (
	SetupProcfile = CheckDef{ID: "setup.procfile", Title: "A Procfile says how to build and start the service",
		Category: Setup, Points: 4, Visibility: Visible}
	SetupPort = CheckDef{ID: "setup.port", Title: "The service listens on $PORT",
		Category: Setup, Points: 3, Visibility: Visible}
	SetupDatabase = CheckDef{ID: "setup.database_url", Title: "The service logs in with $DATABASE_URL",
		Category: Setup, Points: 3, Visibility: Visible}
)

// SetupChecks returns the setup checks, in scorecard order; suites put them
// first in their Checks.
func SetupChecks() []CheckDef { return []CheckDef{SetupProcfile, SetupPort, SetupDatabase} }

// Adaptation is one change the engine made to run the repository, in one
// plain line ("no Procfile: started with `npm start` from package.json"), and
// the setup check that prices it.
type Adaptation struct {
	Check   string `json:"check"`
	Message string `json:"message"`
}

// Adapt records that the engine had to change how the repository is run: the
// line goes on the scorecard's adaptations and the setup check fails with it.
// Several adaptations of one check cost it once. Exported for the engine
// (package run); a suite never calls it.
func (g *Grader) Adapt(check, message string) {
	if _, ok := g.suite.check(check); !ok || !strings.HasPrefix(check, "setup.") {
		panic("grading: adaptation priced by " + check + ", which is not a setup check of the suite")
	}
	g.card.Adaptations = append(g.card.Adaptations, Adaptation{Check: check, Message: message})
}

// judgeSetup records each setup check the engine did not: failed with the
// lines of its adaptations, or passed.
func (g *Grader) judgeSetup() {
	for _, def := range g.suite.Checks {
		if def.Category != Setup {
			continue
		}
		if _, done := g.results[def.ID]; done {
			continue
		}
		var lines []string
		for _, a := range g.card.Adaptations {
			if a.Check == def.ID {
				lines = append(lines, a.Message)
			}
		}
		r := g.record(def)
		if len(lines) > 0 {
			r.Status, r.Message = CheckFailed, "adapted: "+strings.Join(lines, "; ")
			r.Evidence["adaptations"] = lines
			continue
		}
		r.Status, r.Score = CheckPassed, def.Points
	}
}
