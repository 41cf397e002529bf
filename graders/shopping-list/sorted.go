package shoppinglist

import (
	"cmp"
	"maps"
	"slices"
)

// sortedKeys gives a map's keys in order: messages name the same first
// difference in every run.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// sortedPairs gives a map's pairs by list name, then item name.
func sortedPairs[V any](m map[pair]V) []pair {
	return slices.SortedFunc(maps.Keys(m), func(a, b pair) int {
		return cmp.Or(cmp.Compare(a.List, b.List), cmp.Compare(a.Item, b.Item))
	})
}
