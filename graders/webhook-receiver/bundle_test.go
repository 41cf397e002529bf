package webhookreceiver

import (
	"bufio"
	"bytes"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/takehome"
)

func load(t *testing.T) *takehome.Bundle {
	t.Helper()
	b, err := takehome.Load(Bundle)
	if err != nil {
		t.Fatalf("load the bundle: %v", err)
	}
	return b
}

// briefRow is one row of a table in BRIEF.md.
type briefRow struct {
	cells []string
	line  int
}

// briefTable returns the rows (header and separator left out) of the first
// table in BRIEF.md whose header starts with the given cells.
func briefTable(t *testing.T, header ...string) []briefRow {
	t.Helper()
	src, err := fs.ReadFile(Bundle, "BRIEF.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []briefRow
	in := false
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			if in {
				return rows
			}
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.Trim(strings.TrimSpace(c), "`"))
		}
		switch {
		case !in && len(cells) >= len(header) && equal(cells[:len(header)], header):
			in = true
		case in && !strings.HasPrefix(cells[0], "---"):
			rows = append(rows, briefRow{cells: cells, line: n})
		}
	}
	if !in {
		t.Fatalf("BRIEF.md has no table headed %q", header)
	}
	return rows
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The brief's checks table says what takehome.yaml grades: the same checks,
// in the same order, with the same category and points.
func TestBriefChecksTableMatchesBundle(t *testing.T) {
	b := load(t)
	var want []grading.CheckDef
	for _, c := range b.Checks {
		if c.Category != grading.Setup {
			want = append(want, c)
		}
	}
	rows := briefTable(t, "Check", "Category", "Points")
	if len(rows) != len(want) {
		t.Errorf("BRIEF.md lists %d checks, takehome.yaml has %d", len(rows), len(want))
	}
	for i := 0; i < len(rows) && i < len(want); i++ {
		r, c := rows[i].cells, want[i]
		if r[0] != c.ID || r[1] != string(c.Category) || r[2] != strconv.Itoa(c.Points) {
			t.Errorf("BRIEF.md:%d: %s %s %s; takehome.yaml's check %d is %s %s %d",
				rows[i].line, r[0], r[1], r[2], i+1, c.ID, c.Category, c.Points)
		}
	}
}

// The brief's category table adds up what the checks give, setup included.
func TestBriefCategoryTableMatchesBundle(t *testing.T) {
	b := load(t)
	want := map[grading.Category]int{}
	for _, c := range b.Checks {
		want[c.Category] += c.Points
	}
	rows := briefTable(t, "Category", "Points")
	got := map[grading.Category]int{}
	total := 0
	for _, r := range rows {
		p, err := strconv.Atoi(r.cells[1])
		if err != nil {
			t.Fatalf("BRIEF.md:%d: points %q", r.line, r.cells[1])
		}
		got[grading.Category(r.cells[0])] = p
		total += p
	}
	if total != 100 {
		t.Errorf("BRIEF.md's categories add up to %d, want 100", total)
	}
	for cat, p := range want {
		if got[cat] != p {
			t.Errorf("category %s: BRIEF.md says %d, the checks give %d", cat, got[cat], p)
		}
	}
	if len(got) != len(want) {
		t.Errorf("BRIEF.md's categories %v, the checks' %v", got, want)
	}
}

// The setup table is the engine's, as every brief states it.
func TestBriefSetupTableMatchesEngine(t *testing.T) {
	rows := briefTable(t, "Check", "Points", "Passes when")
	setup := grading.SetupChecks()
	if len(rows) != len(setup) {
		t.Fatalf("BRIEF.md lists %d setup checks, the engine has %d", len(rows), len(setup))
	}
	for i, c := range setup {
		if r := rows[i].cells; r[0] != c.ID || r[1] != strconv.Itoa(c.Points) {
			t.Errorf("BRIEF.md:%d: %s %s; the engine's is %s %d", rows[i].line, r[0], r[1], c.ID, c.Points)
		}
	}
}

// Only events.malformed_rejected is hidden, as the brief says.
func TestHiddenChecksAsBriefSays(t *testing.T) {
	var hidden []string
	for _, c := range load(t).Checks {
		if c.Visibility == grading.Hidden {
			hidden = append(hidden, c.ID)
		}
	}
	if !equal(hidden, []string{"events.malformed_rejected"}) {
		t.Errorf("hidden checks %v; BRIEF.md says only events.malformed_rejected", hidden)
	}
}

// A variant's folder holds only its flaw, laid over the reference: a file
// the same as the reference's would be a copy that can drift from it.
func TestVariantsHoldOnlyTheirFlaw(t *testing.T) {
	b := load(t)
	if len(b.Variants) != 4 {
		t.Errorf("%d variants, want no-dedup, check-then-insert, no-signature, too-slow", len(b.Variants))
	}
	for _, v := range b.Variants {
		if v.Source.Over != b.Reference.Dir {
			t.Errorf("%s is laid over %q, want the reference %q", v.Name, v.Source.Over, b.Reference.Dir)
		}
		files, err := fs.ReadDir(Bundle, v.Source.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			ref, err := fs.ReadFile(Bundle, b.Reference.Dir+"/"+f.Name())
			if err != nil {
				continue // a file of the variant's own
			}
			got, err := fs.ReadFile(Bundle, v.Source.Dir+"/"+f.Name())
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(ref, got) {
				t.Errorf("%s/%s is the reference's own: leave it out of the variant", v.Source.Dir, f.Name())
			}
		}
	}
}
