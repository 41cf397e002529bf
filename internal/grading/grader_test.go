package grading

import (
	"context"
	"strings"
	"testing"
)

func testSuite() *Suite {
	return &Suite{Slug: "t", Version: "1", ReadyPath: "/", Grade: func(context.Context, *Grader) error { return nil },
		Checks: append(SetupChecks(),
			CheckDef{ID: "a.one", Title: "One", Category: Correctness, Points: 50, Visibility: Visible},
			CheckDef{ID: "b.two", Title: "Two", Category: Quality, Points: 30, Visibility: Visible},
			CheckDef{ID: "b.three", Title: "Three", Category: Quality, Points: 10, Visibility: Hidden},
		)}
}

func TestValidate(t *testing.T) {
	if err := testSuite().Validate(); err != nil {
		t.Fatal(err)
	}
	s := testSuite()
	s.Checks[3].Points = 49
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "99") {
		t.Fatalf("points: %v", err)
	}
	s = testSuite()
	s.Checks[4].ID = "a.one"
	if s.Validate() == nil {
		t.Fatal("duplicate id accepted")
	}
	s = testSuite()
	s.Checks = s.Checks[1:]
	s.Checks[2].Points += SetupProcfile.Points
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "setup.procfile") {
		t.Fatalf("a suite without the setup checks: %v", err)
	}
}

func TestGraderRecordsVerdicts(t *testing.T) {
	card := &Scorecard{Metrics: map[string]float64{}}
	g := NewGrader(context.Background(), testSuite(), nil, card)
	g.Check("a.one", func(c *C) { c.Evidence("k", 1) })
	g.Check("b.two", func(c *C) {
		c.Failf("first\nline")
		c.Failf("second")
	})
	g.Finish("not run: stopped")
	if card.Score != 50 || card.MaxScore != 100 {
		t.Fatalf("score %d/%d", card.Score, card.MaxScore)
	}
	two := card.Check("b.two")
	if two.Status != CheckFailed || two.Message != "first line" || two.Evidence["more_failures"] == nil {
		t.Fatalf("b.two: %+v", two)
	}
	if three := card.Check("b.three"); three.Status != CheckNotRun || three.Message != "not run: stopped" {
		t.Fatalf("b.three: %+v", three)
	}
	// No service was started: the setup checks are not run, not passed.
	if setup := card.Check(SetupPort.ID); setup.Status != CheckNotRun {
		t.Fatalf("setup.port without a start: %+v", setup)
	}
	if len(card.Categories) != 3 || card.Categories[0].Name != Setup || card.Categories[1].Name != Correctness ||
		card.Categories[2].Score != 0 || card.Categories[2].MaxScore != 40 {
		t.Fatalf("categories %+v", card.Categories)
	}
	var b strings.Builder
	WriteText(&b, card)
	for _, want := range []string{"✓ 50/50 One", "✗ 0 /30 Two", "first line", "– 0 /10 Three", "total 50/100"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

func TestGraderRejectsUndeclaredAndRepeated(t *testing.T) {
	g := NewGrader(context.Background(), testSuite(), nil, &Scorecard{Metrics: map[string]float64{}})
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

func TestAdaptationsCostTheirSetupCheckOnce(t *testing.T) {
	card := &Scorecard{Metrics: map[string]float64{}}
	g := NewGrader(context.Background(), testSuite(), nil, card)
	g.started = true // as after a successful Start
	g.Adapt(SetupPort.ID, "listened on 3000, not $PORT: checks sent to 3000")
	g.Adapt(SetupDatabase.ID, "logged in as postgres to database shop: served your own database instead")
	g.Adapt(SetupDatabase.ID, "connected to host db: resolved to the box's database")
	g.Check("a.one", func(*C) {})
	g.Check("b.two", func(*C) {})
	g.Check("b.three", func(*C) {})
	g.Finish("not run")

	if len(card.Adaptations) != 3 {
		t.Fatalf("adaptations %+v, want 3 lines", card.Adaptations)
	}
	if c := card.Check(SetupProcfile.ID); c.Status != CheckPassed || c.Score != SetupProcfile.Points {
		t.Errorf("setup.procfile, nothing adapted: %+v", c)
	}
	port := card.Check(SetupPort.ID)
	if port.Status != CheckFailed || port.Score != 0 || !strings.Contains(port.Message, "listened on 3000") {
		t.Errorf("setup.port: %+v", port)
	}
	db := card.Check(SetupDatabase.ID)
	if db.Status != CheckFailed || !strings.Contains(db.Message, "postgres") || !strings.Contains(db.Message, "host db") {
		t.Errorf("setup.database_url: %+v", db)
	}
	// Two adaptations of the database cost its check once, nothing else.
	if want := 100 - SetupPort.Points - SetupDatabase.Points; card.Score != want {
		t.Errorf("score %d, want %d", card.Score, want)
	}
	if card.Categories[0].Name != Setup {
		t.Errorf("setup is not the first category: %+v", card.Categories)
	}
	var b strings.Builder
	WriteText(&b, card)
	if !strings.Contains(b.String(), "adapted (setup.port): listened on 3000, not $PORT") {
		t.Errorf("text lacks the adaptation line:\n%s", b.String())
	}
	defer func() {
		if recover() == nil {
			t.Error("an adaptation priced by a check outside setup was accepted")
		}
	}()
	g.Adapt("a.one", "x")
}
