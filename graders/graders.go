// Package graders lists the built-in take-homes. Adding one is a folder
// under graders/ and one line here: a Go suite, or a bundle (takehome.yaml)
// loaded by internal/takehome.
package graders

import (
	"fmt"
	"io/fs"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/takehome"

	planetscrud "github.com/assayhq/assay/graders/planets-crud"
	shoppinglist "github.com/assayhq/assay/graders/shopping-list"
	webhookreceiver "github.com/assayhq/assay/graders/webhook-receiver"
)

// All maps each take-home's slug to its suite.
var All = map[string]*grading.Suite{
	"planets-crud":     planetscrud.Suite,
	"shopping-list":    shoppinglist.Suite,
	"webhook-receiver": bundleSuite(webhookreceiver.Bundle),
}

// bundleSuite loads a take-home bundle embedded in the binary. It is part of
// the build, so an invalid one is a bug (its package's tests load it) and
// stops the program at start, naming every problem.
func bundleSuite(fsys fs.FS) *grading.Suite {
	b, err := takehome.Load(fsys)
	if err != nil {
		panic(fmt.Sprintf("built-in take-home bundle: %v", err))
	}
	return b.Suite()
}
