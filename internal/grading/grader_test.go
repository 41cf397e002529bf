package grading

import (
	"context"
	"strings"
	"testing"
)

func testSuite() *Suite {
	return &Suite{Slug: "t", Version: "1", ReadyPath: "/", Grade: func(context.Context, *Grader) error { return nil },
		Checks: []CheckDef{
			{ID: "a.one", Title: "One", Category: Correctness, Points: 60, Visibility: Visible},
			{ID: "b.two", Title: "Two", Category: Quality, Points: 30, Visibility: Visible},
			{ID: "b.three", Title: "Three", Category: Quality, Points: 10, Visibility: Hidden},
		}}
}

func TestValidate(t *testing.T) {
	if err := testSuite().Validate(); err != nil {
		t.Fatal(err)
	}
	s := testSuite()
	s.Checks[0].Points = 59
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "99") {
		t.Fatalf("points: %v", err)
	}
	s = testSuite()
	s.Checks[1].ID = "a.one"
	if s.Validate() == nil {
		t.Fatal("duplicate id accepted")
	}
}

func TestGraderRecordsVerdicts(t *testing.T) {
	card := &Scorecard{Metrics: map[string]float64{}}
	g := newGrader(context.Background(), testSuite(), 1, nil, card)
	g.Check("a.one", func(c *C) { c.Evidence("k", 1) })
	g.Check("b.two", func(c *C) {
		c.Failf("first\nline")
		c.Failf("second")
	})
	g.finish("not run: stopped")
	if card.Score != 60 || card.MaxScore != 100 {
		t.Fatalf("score %d/%d", card.Score, card.MaxScore)
	}
	two := card.Check("b.two")
	if two.Status != CheckFailed || two.Message != "first line" || two.Evidence["more_failures"] == nil {
		t.Fatalf("b.two: %+v", two)
	}
	if three := card.Check("b.three"); three.Status != CheckNotRun || three.Message != "not run: stopped" {
		t.Fatalf("b.three: %+v", three)
	}
	if len(card.Categories) != 2 || card.Categories[0].Name != Correctness || card.Categories[1].Score != 0 || card.Categories[1].MaxScore != 40 {
		t.Fatalf("categories %+v", card.Categories)
	}
	var b strings.Builder
	WriteText(&b, card)
	for _, want := range []string{"✓ 60/60 One", "✗ 0 /30 Two", "first line", "– 0 /10 Three", "total 60/100"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

func TestGraderRejectsUndeclaredAndRepeated(t *testing.T) {
	g := newGrader(context.Background(), testSuite(), 1, nil, &Scorecard{Metrics: map[string]float64{}})
	mustPanic := func(name string, f func()) {
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	mustPanic("undeclared", func() { g.Check("x.y", func(*C) {}) })
	g.Check("a.one", func(*C) {})
	mustPanic("repeated", func() { g.Check("a.one", func(*C) {}) })
}
