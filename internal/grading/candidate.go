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
// sentence saying how many points the hidden ones hold.
func (s *Scorecard) ForCandidate(view string) *CandidateScorecard {
	if view != ViewTotal && view != ViewVisibleChecks {
		return nil
	}
	out := &CandidateScorecard{Score: s.Score, MaxScore: s.MaxScore}
	if view == ViewTotal {
		return out
	}
	out.Checks = []CandidateCheck{}
	for _, c := range s.Checks {
		if c.Visibility != Visible {
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
