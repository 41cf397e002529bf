package shoppinglist

import (
	"maps"
	"slices"
)

// sortedKeys gives a map's keys in order: messages name the same first
// difference in every run.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
