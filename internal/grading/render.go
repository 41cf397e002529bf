package grading

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the scorecard as contract §5 JSON.
func WriteJSON(w io.Writer, s *Scorecard) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}

// WriteText writes the scorecard for a person to read at a glance: notices,
// the mode and what was adapted to run the repository, the phases that did
// not go well, then the checks grouped by category with
// ✓ passed, ✗ failed, – not run, a one-line reason, subtotals and the total.
func WriteText(w io.Writer, s *Scorecard) error {
	var b strings.Builder
	for _, n := range s.Notices {
		fmt.Fprintf(&b, "! %s\n", n)
	}
	fmt.Fprintf(&b, "%s (suite %s), commit %s, seed %d: %s\n", s.Takehome, s.SuiteVersion, short(s.Commit), s.Seed, s.Status)
	if s.Mode != "" {
		fmt.Fprintf(&b, "  graded %s\n", s.Mode)
	}
	for _, a := range s.Adaptations {
		fmt.Fprintf(&b, "  adapted (%s): %s\n", a.Check, a.Message)
	}
	for _, p := range s.Phases {
		fmt.Fprintf(&b, "  phase %-10s %-7s %6.1fs", p.Name, p.Status, float64(p.DurationMS)/1000)
		if p.Message != "" {
			fmt.Fprintf(&b, "  %s", p.Message)
		}
		b.WriteString("\n")
		if p.Status != PhaseOK && p.Status != PhaseSkipped && p.OutputTail != "" {
			for _, line := range lastLines(p.OutputTail, 15) {
				fmt.Fprintf(&b, "      | %s\n", line)
			}
		}
	}
	for _, cat := range s.Categories {
		fmt.Fprintf(&b, "\n%s  %d/%d\n", cat.Name, cat.Score, cat.MaxScore)
		for _, c := range s.Checks {
			if c.Category != cat.Name {
				continue
			}
			mark := map[string]string{CheckPassed: "✓", CheckFailed: "✗", CheckNotRun: "–"}[c.Status]
			fmt.Fprintf(&b, "  %s %-2d/%-2d %s  (%s)\n", mark, c.Score, c.MaxScore, c.Title, c.ID)
			if c.Message != "" && c.Status != CheckPassed {
				fmt.Fprintf(&b, "           %s\n", c.Message)
			}
		}
	}
	for _, k := range sortedKeys(s.Metrics) {
		fmt.Fprintf(&b, "\nmetric %s = %g", k, s.Metrics[k])
	}
	if len(s.Metrics) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\ntotal %d/%d\n", s.Score, s.MaxScore)
	_, err := io.WriteString(w, b.String())
	return err
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func lastLines(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}
