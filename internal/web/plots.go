package web

import (
	"fmt"

	"github.com/assayhq/assay/internal/grading"
)

// Plots are SVG drawn on the server: their geometry is computed here and
// the templates only place it. No script is needed to see them, and the
// numbers are also written as text for screen readers and small screens.

// barChart is one horizontal bar per category.
type barChart struct {
	Height int
	Bars   []bar
}

type bar struct {
	Label      string
	Value, Max int
	Y          int
	Width      float64 // filled width, out of barWidth
	Text       string
	TextY      int
}

const (
	barWidth = 240.0
	barRow   = 28
)

func categoryBars(cats []grading.CategoryScore) barChart {
	ch := barChart{Height: max(len(cats)*barRow, barRow)}
	for i, c := range cats {
		w := 0.0
		if c.MaxScore > 0 {
			w = barWidth * float64(c.Score) / float64(c.MaxScore)
		}
		y := i * barRow
		ch.Bars = append(ch.Bars, bar{Label: string(c.Name), Value: c.Score, Max: c.MaxScore, Y: y + 6, Width: w,
			Text: fmt.Sprintf("%d / %d", c.Score, c.MaxScore), TextY: y + 19})
	}
	return ch
}

// histogram counts totals (as percentages of their maximum) in ten bins.
type histogram struct {
	Bins  []bin
	Total int
}

type bin struct {
	Label   string
	Count   int
	X, Y, H float64
	CountY  float64
	LabelX  float64
}

const (
	histHeight = 150.0
	histBinW   = 36.0
)

func totalsHistogram(totals []scoreTotal) histogram {
	counts := make([]int, 10)
	for _, t := range totals {
		pct := 0
		if t.Max > 0 {
			pct = t.Score * 100 / t.Max
		}
		counts[min(pct/10, 9)]++ // 100 % falls in the last bin, 90–100
	}
	peak := 1
	for _, n := range counts {
		peak = max(peak, n)
	}
	h := histogram{Total: len(totals)}
	for i, n := range counts {
		height := histHeight * float64(n) / float64(peak)
		x := 20 + float64(i)*(histBinW+2)
		h.Bins = append(h.Bins, bin{
			Label: fmt.Sprintf("%d–%d", i*10, i*10+10), Count: n,
			X: x, Y: 10 + histHeight - height, H: height, CountY: 10 + histHeight - height - 3,
			LabelX: x + histBinW/2,
		})
	}
	return h
}

// scoreTotal is one candidate's total as the histogram reads it.
type scoreTotal struct{ Score, Max int }
