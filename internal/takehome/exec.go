package takehome

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/assayhq/assay/internal/grading"
)

// Bounds of what an exec step reads back.
const (
	execOutputTail = 64 << 10
	maxJUnitBytes  = 8 << 20
)

// exec runs a command in the candidate's box; its scope is exit_code,
// output (the tail) and junit (the report's totals, or null without one).
func (x *executor) exec(ctx context.Context, gc *grading.C, e *execStep) (map[string]any, string, string) {
	res, err := x.svc.Exec(ctx, e.command, e.timeout)
	if err != nil {
		return nil, "", err.Error()
	}
	out := res.Output
	if len(out) > execOutputTail {
		out = out[len(out)-execOutputTail:]
	}
	gc.Evidence("command", e.command)
	gc.Evidence("output", lastLinesOf(out, 40))
	scope := map[string]any{"exit_code": int64(res.ExitCode), "output": out, "junit": nil}
	summary := fmt.Sprintf("`%s`: %s: %s", e.command, res.Message, cut(lastLinesOf(out, 3), 200))
	if e.junit != "" {
		totals, err := x.junit(e.junit)
		if err != nil {
			return nil, "", fmt.Sprintf("%s: %v", e.junit, err)
		}
		if totals != nil {
			scope["junit"] = totals
			gc.Evidence("junit", totals)
			summary += fmt.Sprintf("; junit %d tests, %d failures, %d errors, %d skipped",
				totals["tests"], totals["failures"], totals["errors"], totals["skipped"])
		}
	}
	return scope, summary, ""
}

// junit reads the totals of a JUnit XML report: nil when there is no file.
func (x *executor) junit(name string) (map[string]any, error) {
	b, err := x.svc.ReadFile(path.Clean(name), maxJUnitBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return junitTotals(b)
}

type junitSuite struct {
	Tests    int64        `xml:"tests,attr"`
	Failures int64        `xml:"failures,attr"`
	Errors   int64        `xml:"errors,attr"`
	Skipped  int64        `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

// junitTotals adds up a report: a <testsuites> with totals of its own, or
// the sum of its <testsuite>s, or one <testsuite>.
func junitTotals(b []byte) (map[string]any, error) {
	var root junitSuite
	if err := xml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("not a JUnit XML report: %w", err)
	}
	t := root
	if t.Tests == 0 && len(root.Suites) > 0 {
		for _, s := range root.Suites {
			t.Tests += s.Tests
			t.Failures += s.Failures
			t.Errors += s.Errors
			t.Skipped += s.Skipped
		}
	}
	return map[string]any{"tests": t.Tests, "failures": t.Failures, "errors": t.Errors, "skipped": t.Skipped}, nil
}

func lastLinesOf(s string, n int) string {
	lines := 0
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '\n' && i != len(s)-1 {
			lines++
			if lines == n {
				return s[i+1:]
			}
		}
	}
	return s
}
