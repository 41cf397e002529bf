package takehome

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/assayhq/assay/internal/grading"
)

// GradeFunc grades one solution of the bundle with its suite: the caller
// supplies the engine (gradingtest in tests, run.Run in the command line and
// the worker). bundleFS is the bundle's folder (Bundle.FS), for a Source
// with a Dir.
type GradeFunc func(ctx context.Context, s *grading.Suite, src Source, bundleFS fs.FS) (*grading.Scorecard, error)

// Report is what Check found: one row for the reference, then one per
// variant, and whether the version may be issued.
type Report struct {
	Rows     []Row `json:"rows"`
	Issuable bool  `json:"issuable"`
}

// Row is one graded solution. Unexpected lists each verdict that differs
// from what the bundle declares ("events.stored_once: passed, expected to
// fail"); a row is as expected when it is empty.
type Row struct {
	Name       string             `json:"name"`
	Source     Source             `json:"source"`
	Score      int                `json:"score"`
	MaxScore   int                `json:"max_score"`
	Status     string             `json:"status"` // the scorecard's status
	Unexpected []string           `json:"unexpected"`
	Scorecard  *grading.Scorecard `json:"-"`
}

// OK reports whether the solution scored as declared.
func (r Row) OK() bool { return len(r.Unexpected) == 0 }

// Check grades the reference and every variant through grade, and says
// whether the version may be issued: the reference scores 100/100 and each
// variant fails exactly its listed checks (a listed check may also be not
// run), passing every other.
func Check(ctx context.Context, b *Bundle, grade GradeFunc) (*Report, error) {
	suite := b.Suite()
	rep := &Report{Issuable: true}
	solutions := append([]Variant{{Name: "reference", Source: b.Reference}}, b.Variants...)
	for _, v := range solutions {
		card, err := grade(ctx, suite, v.Source, b.fsys)
		if err != nil {
			return nil, fmt.Errorf("grade %s (%s): %w", v.Name, v.Source, err)
		}
		row := Row{Name: v.Name, Source: v.Source, Score: card.Score, MaxScore: card.MaxScore, Status: card.Status,
			Unexpected: Unexpected(card, v.Fails), Scorecard: card}
		if !row.OK() {
			rep.Issuable = false
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// Unexpected compares a scorecard with the checks it should fail (none for
// a reference): one line per check whose verdict is not the declared one.
func Unexpected(card *grading.Scorecard, fails []string) []string {
	out := []string{}
	if card.Status != grading.StatusGraded {
		out = append(out, fmt.Sprintf("status %s, expected graded%s", card.Status, phaseWhy(card)))
	}
	for _, c := range card.Checks {
		expectFail := slices.Contains(fails, c.ID)
		switch {
		case expectFail && c.Status == grading.CheckPassed:
			out = append(out, fmt.Sprintf("%s: passed, expected to fail", c.ID))
		case !expectFail && c.Status != grading.CheckPassed && card.Status == grading.StatusGraded:
			line := fmt.Sprintf("%s: %s, expected to pass", c.ID, strings.ReplaceAll(c.Status, "_", " "))
			if c.Message != "" {
				line += " (" + c.Message + ")"
			}
			out = append(out, line)
		}
	}
	return out
}

// phaseWhy is the failed phase's message, for a run that did not get to the checks.
func phaseWhy(card *grading.Scorecard) string {
	for _, p := range card.Phases {
		if p.Status == grading.PhaseFailed || p.Status == grading.PhaseError {
			return fmt.Sprintf(" (%s: %s)", p.Name, p.Message)
		}
	}
	if len(card.Notices) > 0 {
		return " (" + card.Notices[len(card.Notices)-1] + ")"
	}
	return ""
}

// Table is the verdict table the command line prints: one line per
// solution, then each unexpected verdict under it, then whether the version
// may be issued.
func (r *Report) Table() string {
	var b strings.Builder
	width := len("solution")
	for _, row := range r.Rows {
		width = max(width, len(row.Name))
	}
	fmt.Fprintf(&b, "%-*s  %-7s  %-12s  %s\n", width, "solution", "score", "status", "verdict")
	for _, row := range r.Rows {
		verdict := "as declared"
		if !row.OK() {
			verdict = fmt.Sprintf("%d unexpected", len(row.Unexpected))
		}
		fmt.Fprintf(&b, "%-*s  %-7s  %-12s  %s\n", width, row.Name, fmt.Sprintf("%d/%d", row.Score, row.MaxScore), row.Status, verdict)
		for _, u := range row.Unexpected {
			fmt.Fprintf(&b, "%-*s    ✗ %s\n", width, "", u)
		}
	}
	if r.Issuable {
		b.WriteString("issuable: yes, the reference scores 100 and every variant fails exactly its checks\n")
	} else {
		b.WriteString("issuable: no, see the unexpected verdicts above\n")
	}
	return b.String()
}
