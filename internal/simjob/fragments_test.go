package simjob

import (
	"reflect"
	"testing"

	"github.com/assayhq/assay/internal/store"
)

// TestEchoesOfRepeatedCodeAreDropped: a fragment inside longer ones on both
// sides (repeated code matching its repetitions) is not listed; one that
// reaches lines no longer fragment covers, on either side, is.
func TestEchoesOfRepeatedCodeAreDropped(t *testing.T) {
	f := func(sp string, ss, se int, op string, os, oe, n int) store.SimilarityFragment {
		return store.SimilarityFragment{SelfPath: sp, SelfStart: ss, SelfEnd: se, OtherPath: op, OtherStart: os, OtherEnd: oe, Fingerprints: n}
	}
	whole := f("a.go", 1, 100, "b.go", 1, 100, 50)
	echo := f("a.go", 60, 80, "b.go", 20, 40, 10)
	elsewhere := f("a.go", 60, 80, "c.go", 1, 20, 10)
	beyond := f("a.go", 90, 120, "b.go", 10, 30, 8)
	in := []store.SimilarityFragment{echo, elsewhere, whole, beyond}
	sortFragments(in)
	got := dropEchoes(in)
	want := []store.SimilarityFragment{whole, elsewhere, beyond}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kept %+v\nwant %+v", got, want)
	}
}
