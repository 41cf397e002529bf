package shoppinglist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"

	"github.com/assayhq/assay/internal/grading"
)

// dataDir is where the brief tells candidates to keep the data files.
const dataDir = "app/data"

// prepared is what prepare learnt of the checkout, for grade.
type prepared struct {
	// noDataDir is set when the repository has no app/data: the grader's
	// data was not written, and the service can only store its own.
	noDataDir bool
	// own is the repository's own copy of the data (data/data.json, say),
	// when app/data is missing and that copy is not the starter kit's.
	own *dataSet
}

// noDataDirMessage is the prepare phase's message when app/data is missing.
const noDataDirMessage = "no app/data folder: the grader's data was not written; your service's own data is judged"

// prepare writes the generated data into app/data, only where the repository
// has that folder: creating it would change the repository's layout (tsc
// then moves its output, and dist/main.js no longer exists).
func prepare(_ context.Context, p *grading.Prep) error {
	if _, err := p.Checkout.Lstat(dataDir); errors.Is(err, fs.ErrNotExist) {
		p.Message = noDataDirMessage
		found := prepared{noDataDir: true}
		if own := ownData(p.Checkout); own != nil {
			found.own = own
			p.Message += " (found " + own.Source + ")"
		}
		p.Found = found
		return nil
	}
	lists := generate(p.Seed)
	if err := writeData(p.Checkout, lists); err != nil {
		return err
	}
	p.Message = fmt.Sprintf("the grader's data (%d lists) was written to %s/data.ts and %s/data.json", len(lists), dataDir, dataDir)
	return nil
}

// ownDataFiles are where repositories without app/data keep their copy of
// the data, the JSON file first.
var ownDataFiles = []string{
	"data/data.json", "src/data/data.json", "data.json", "src/data.json",
	"data/data.ts", "src/data/data.ts",
}

// ownData reads the repository's own copy of the data: nil when there is
// none, it does not parse, or it is the starter kit's (known already).
func ownData(root *os.Root) *dataSet {
	starter, err := starterData()
	if err != nil {
		return nil
	}
	for _, name := range ownDataFiles {
		b, err := root.ReadFile(name)
		if err != nil {
			continue
		}
		lists, ok := parseData(b)
		if !ok || len(lists) == 0 || reflect.DeepEqual(lists, starter) {
			return nil
		}
		return &dataSet{Source: name, Lists: lists}
	}
	return nil
}

// Turning the starter's data.ts layout into JSON: its value after the
// declaration, bare keys quoted, trailing commas dropped. Strings are JSON
// literals already (encodeTS).
var (
	tsValue         = regexp.MustCompile(`(?s)=\s*(\[.*\])\s*;?\s*$`)
	tsBareKey       = regexp.MustCompile(`([{,]\s*)([A-Za-z_]\w*)\s*:`)
	tsTrailingComma = regexp.MustCompile(`,(\s*[\]}])`)
)

// parseData reads data.json, or a data.ts in the starter's layout.
func parseData(b []byte) ([]List, bool) {
	var lists []List
	if json.Unmarshal(b, &lists) == nil {
		return lists, true
	}
	m := tsValue.FindSubmatch(b)
	if m == nil {
		return nil, false
	}
	js := tsTrailingComma.ReplaceAll(tsBareKey.ReplaceAll(m[1], []byte(`$1"$2":`)), []byte("$1"))
	return lists, json.Unmarshal(js, &lists) == nil
}

// writeData replaces app/data/data.ts and app/data/data.json in the checkout
// with lists. Every access goes through root, so a symlink in the candidate's
// tree (app/data itself, or the files) can never make the grader write outside
// the checkout: os.Root refuses, and the run fails with a reason.
func writeData(root *os.Root, lists []List) error {
	if err := root.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("create %s in the repository (it must be a plain directory, not a link out of the repository): %w", dataDir, err)
	}
	files := []struct {
		name string
		body []byte
	}{
		{dataDir + "/data.ts", encodeTS(lists)},
		{dataDir + "/data.json", encodeJSON(lists)},
	}
	for _, f := range files {
		// Remove first: Remove does not follow a final symlink, so a data file
		// that is a link is replaced by a plain file rather than written through.
		if err := root.Remove(f.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("replace %s: %w", f.name, err)
		}
		if err := root.WriteFile(f.name, f.body, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	return nil
}
