package web

import (
	"testing"

	"github.com/assayhq/assay/internal/grading"
)

func TestHistogramBins(t *testing.T) {
	h := totalsHistogram([]scoreTotal{{0, 100}, {9, 100}, {10, 100}, {100, 100}, {95, 100}, {50, 0}})
	want := []int{3, 1, 0, 0, 0, 0, 0, 0, 0, 2} // a zero maximum counts as 0 %; 100 % is in the last bin
	for i, b := range h.Bins {
		if b.Count != want[i] {
			t.Errorf("bin %s: %d, want %d", b.Label, b.Count, want[i])
		}
	}
	if h.Bins[0].H != histHeight || h.Bins[1].H != histHeight/3 || h.Bins[2].H != 0 {
		t.Errorf("heights: %v %v %v", h.Bins[0].H, h.Bins[1].H, h.Bins[2].H)
	}
}

func TestCategoryBars(t *testing.T) {
	ch := categoryBars([]grading.CategoryScore{{Name: "correctness", Score: 30, MaxScore: 40}, {Name: "quality", Score: 0, MaxScore: 0}})
	if ch.Height != 2*barRow || ch.Bars[0].Width != barWidth*0.75 || ch.Bars[1].Width != 0 || ch.Bars[0].Text != "30 / 40" {
		t.Errorf("bars: %+v", ch)
	}
}
