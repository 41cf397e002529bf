package grading

import "fmt"

// What an assessment shares with its candidates of each scorecard: the values
// of its candidate_view setting (store.ViewNothing and its siblings name the
// same strings, and the database's CHECK constraint lists them).
const (
	ViewNothing       = "nothing"
	ViewTotal         = "total"
	ViewVisibleChecks = "visible_checks"
)

// CandidateViews lists every candidate view, from the least shared.
var CandidateViews = []string{ViewNothing, ViewTotal, ViewVisibleChecks}

// CandidateScorecard is all a candidate may see of a scorecard; the API
// serves it as is and the candidate's page shows it.
type CandidateScorecard struct {
	// Score and MaxScore count every check, hidden ones too: a hidden check
	// still counts towards the result, it is only not described.
	Score    int `json:"score"`
	MaxScore int `json:"max_score"`
	// Checks are the visible checks, without evidence; nil when the
	// assessment shares the total only.
	Checks []CandidateCheck `json:"checks,omitempty"`
	// UnsharedPoints are the points of the checks not listed, and Unshared
	// says so in a sentence; both are empty when every check is listed or
	// none is.
	UnsharedPoints int    `json:"unshared_points,omitempty"`
	Unshared       string `json:"unshared,omitempty"`
	// Failure says where and why the service did not get as far as the
	// checks (build or start failed); nil when it did, or when grading
	// stopped on the platform's fault (the candidate can do nothing about it).
	Failure *CandidateFailure `json:"failure,omitempty"`
	// Shared is true once the reviewers shared the full scorecard: every
	// check is listed, hidden ones too.
	Shared bool `json:"shared,omitempty"`
}

// CandidateFailure is the phase that failed, its one-line reason and the end
// of its output (capped by the grader), so the candidate can fix it.
type CandidateFailure struct {
	Phase      string `json:"phase"`
	Message    string `json:"message"`
	OutputTail string `json:"output_tail"`
}

// CandidateCheck is what a candidate may read of one check: never its
// evidence, which records what the suite sent and expected.
type CandidateCheck struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Category Category `json:"category"`
	Status   string   `json:"status"`
	Score    int      `json:"score"`
	MaxScore int      `json:"max_score"`
	Message  string   `json:"message"`
}

// ForCandidate decides what the candidate sees of s under the assessment's
// candidate view: nil for nothing (or a view it does not know), the totals
// for total, and for visible_checks the totals with the visible checks and a
// sentence saying how many points the hidden ones hold. Every view but
// nothing also says why a build or start failed. Once the reviewers shared
// the full scorecard (shared), every check is listed whatever the view:
// sharing is their deliberate choice for this submission. Evidence is never
// shared: it records what the suite sent and expected.
func (s *Scorecard) ForCandidate(view string, shared bool) *CandidateScorecard {
	if !shared && view != ViewTotal && view != ViewVisibleChecks {
		return nil
	}
	out := &CandidateScorecard{Score: s.Score, MaxScore: s.MaxScore, Failure: s.failure(), Shared: shared}
	if view == ViewTotal && !shared {
		return out
	}
	out.Checks = []CandidateCheck{}
	for _, c := range s.Checks {
		if c.Visibility != Visible && !shared {
			out.UnsharedPoints += c.MaxScore
			continue
		}
		out.Checks = append(out.Checks, CandidateCheck{ID: c.ID, Title: c.Title, Category: c.Category,
			Status: c.Status, Score: c.Score, MaxScore: c.MaxScore, Message: c.Message})
	}
	if out.UnsharedPoints > 0 {
		out.Unshared = unsharedSentence(out.UnsharedPoints)
	}
	return out
}

// failure is the failed phase of a build or start failure; a platform error
// is not the candidate's to fix and its output is not theirs to read.
func (s *Scorecard) failure() *CandidateFailure {
	if s.Status != StatusBuildFailed && s.Status != StatusStartFailed {
		return nil
	}
	for _, p := range s.Phases {
		if p.Status == PhaseFailed {
			return &CandidateFailure{Phase: p.Name, Message: p.Message, OutputTail: p.OutputTail}
		}
	}
	return nil
}

// Shares reports whether the candidate sees the check with this id.
func (cs *CandidateScorecard) Shares(id string) bool {
	for _, c := range cs.Checks {
		if c.ID == id {
			return true
		}
	}
	return false
}

func unsharedSentence(points int) string {
	if points == 1 {
		return "1 point is in checks your reviewers have not shared"
	}
	return fmt.Sprintf("%d points are in checks your reviewers have not shared", points)
}
