package simjob

import (
	"sort"

	"github.com/assayhq/assay/internal/store"
)

// sortFragments orders fragments longest first (by fingerprints, then lines),
// then by where they start on the submission's side.
func sortFragments(fs []store.SimilarityFragment) {
	sort.SliceStable(fs, func(a, b int) bool {
		if fs[a].Fingerprints != fs[b].Fingerprints {
			return fs[a].Fingerprints > fs[b].Fingerprints
		}
		if la, lb := fs[a].SelfEnd-fs[a].SelfStart, fs[b].SelfEnd-fs[b].SelfStart; la != lb {
			return la > lb
		}
		if fs[a].SelfPath != fs[b].SelfPath {
			return fs[a].SelfPath < fs[b].SelfPath
		}
		return fs[a].SelfStart < fs[b].SelfStart
	})
}

// dropEchoes removes, from fragments sorted longest first, each fragment
// whose lines on both sides already lie inside longer fragments: code
// repeated within a file (similar handlers, test tables) makes every
// repetition on one side match every one on the other, and the list would
// otherwise show a copied file as dozens of crossed pairs of the same lines.
func dropEchoes(fragments []store.SimilarityFragment) []store.SimilarityFragment {
	var kept []store.SimilarityFragment
	for _, f := range fragments {
		if len(kept) == store.MaxStoredFragments {
			break // the store keeps no more; the rest are the shortest
		}
		selfInside, otherInside := false, false
		for _, k := range kept {
			selfInside = selfInside || (k.SelfPath == f.SelfPath && k.SelfStart <= f.SelfStart && f.SelfEnd <= k.SelfEnd)
			otherInside = otherInside || (k.OtherPath == f.OtherPath && k.OtherStart <= f.OtherStart && f.OtherEnd <= k.OtherEnd)
		}
		if !selfInside || !otherInside {
			kept = append(kept, f)
		}
	}
	return kept
}
