// Package graders lists the built-in take-homes. Adding one is a folder
// under graders/ and one line here.
package graders

import (
	"github.com/assayhq/assay/internal/grading"

	planetscrud "github.com/assayhq/assay/graders/planets-crud"
	shoppinglist "github.com/assayhq/assay/graders/shopping-list"
)

// All maps each take-home's slug to its suite.
var All = map[string]*grading.Suite{
	"planets-crud":  planetscrud.Suite,
	"shopping-list": shoppinglist.Suite,
}
