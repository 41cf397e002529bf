package similarity

import "sort"

// Match is the comparison of a newly added document with one indexed before
// it ("other"). Similarity on each side is the fingerprints the two share over
// that side's total (template excluded), as Dolos and MOSS report; Similarity
// is the larger, so a small submission copied whole into a larger one shows.
type Match struct {
	Other             string
	OtherKind         Kind
	Shared            int     // distinct fingerprints in both documents
	SimilarityNew     float64 // Shared over the new document's fingerprints
	SimilarityOther   float64 // Shared over the other document's fingerprints
	Similarity        float64 // the larger of the two
	LinesNew          int     // lines of the new document inside a shared k-gram
	LinesOther        int     // lines of the other document inside a shared k-gram
	Fragments         []Fragment
	LongestFragment   Fragment
	OtherFingerprints int
	NewFingerprints   int
}

// Fragment is a run of consecutive fingerprints shared in the same order by
// both documents: the code to show side by side.
type Fragment struct {
	New          Span
	Other        Span
	Fingerprints int
}

// Span is a range of lines, both ends included, in one file.
type Span struct {
	Path      string
	StartLine int
	EndLine   int
}

// Flags tells whether a match reaches a threshold (see DefaultThreshold). A
// flag asks a reviewer to look; it is not a verdict.
func (m Match) Flags(threshold float64) bool {
	return m.Similarity >= threshold
}

// DefaultThreshold is the similarity from which a pair is flagged. In the
// tests a Go solution with every identifier renamed, comments rewritten,
// layout changed and functions reordered still scores 0.83, while the
// reference solutions written independently (the two Go ones, same stack,
// different take-homes; and each take-home's solutions in two languages)
// score at most 0.044 once the starter is subtracted. 0.4 is nine times the
// highest independent score and leaves a disguised copy room to lose half its
// remaining fingerprints to further edits before it escapes; a candidate who
// took 40% of another's code is flagged.
const DefaultThreshold = 0.4

// fragment is a chain of matched positions (i in the new document, j in the
// other), extended while both sides advance by one in the same file.
type fragment struct {
	newFirst, newLast     int
	otherFirst, otherLast int
	count                 int
}

// pair is one fingerprint shared by the new document (position new) and
// another (position other); a document's pairs come in the order of new, then
// of other.
type pair struct{ new, other int }

func (gi *groupIndex) match(added kept, otherIndex uint32, shared int, pairs []pair) Match {
	other := gi.docs[otherIndex]
	var fragments []fragment
	var open, nextOpen []int // fragments whose last pair is at the previous new position
	for n, pr := range pairs {
		i, j := pr.new, pr.other
		if n > 0 && pairs[n-1].new != i {
			open, nextOpen = nextOpen, open[:0]
		}
		extended := false
		for _, f := range open {
			fr := &fragments[f]
			if fr.newLast == i-1 && fr.otherLast == j-1 &&
				added.locations[i].file == added.locations[i-1].file &&
				other.locations[j].file == other.locations[j-1].file {
				fr.newLast, fr.otherLast = i, j
				fr.count++
				nextOpen = append(nextOpen, f)
				extended = true
				break
			}
		}
		if !extended {
			fragments = append(fragments, fragment{newFirst: i, newLast: i, otherFirst: j, otherLast: j, count: 1})
			nextOpen = append(nextOpen, len(fragments)-1)
		}
	}

	m := Match{
		Other:             other.id,
		OtherKind:         other.kind,
		Shared:            shared,
		SimilarityNew:     ratio(shared, added.distinct),
		SimilarityOther:   ratio(shared, other.distinct),
		NewFingerprints:   added.distinct,
		OtherFingerprints: other.distinct,
	}
	m.Similarity = max(m.SimilarityNew, m.SimilarityOther)
	var newSpans, otherSpans []Span
	for _, f := range fragments {
		shown := Fragment{
			New:          span(added.paths, added.locations, f.newFirst, f.newLast),
			Other:        span(other.paths, other.locations, f.otherFirst, f.otherLast),
			Fingerprints: f.count,
		}
		m.Fragments = append(m.Fragments, shown)
		newSpans = append(newSpans, shown.New)
		otherSpans = append(otherSpans, shown.Other)
		if longer(shown, m.LongestFragment) {
			m.LongestFragment = shown
		}
	}
	m.LinesNew = linesCovered(newSpans)
	m.LinesOther = linesCovered(otherSpans)
	return m
}

func span(paths []string, locations []location, first, last int) Span {
	return Span{
		Path:      paths[locations[first].file],
		StartLine: int(locations[first].startLine),
		EndLine:   int(locations[last].endLine),
	}
}

// longer orders fragments by fingerprints, then by lines on the new side.
func longer(a, b Fragment) bool {
	if a.Fingerprints != b.Fingerprints {
		return a.Fingerprints > b.Fingerprints
	}
	return a.New.EndLine-a.New.StartLine > b.New.EndLine-b.New.StartLine
}

// linesCovered counts the distinct lines inside the spans (which overlap,
// since k-grams do).
func linesCovered(spans []Span) int {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].Path != spans[j].Path {
			return spans[i].Path < spans[j].Path
		}
		return spans[i].StartLine < spans[j].StartLine
	})
	total := 0
	for i := 0; i < len(spans); {
		current := spans[i]
		for i++; i < len(spans) && spans[i].Path == current.Path && spans[i].StartLine <= current.EndLine+1; i++ {
			current.EndLine = max(current.EndLine, spans[i].EndLine)
		}
		total += current.EndLine - current.StartLine + 1
	}
	return total
}
