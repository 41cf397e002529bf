package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
)

// codeRef is a file a check concerns, with its address in the code browser.
type codeRef struct {
	Path string
	URL  string
}

// maxCodeRefs bounds the files linked from one check.
const maxCodeRefs = 8

// evidenceFiles names the kept files a check concerns where the check says
// which: the Procfile for the Procfile check; for a migration check, the
// migration files that mention a word of the check's id (the migration that
// added price for migrations.price_column), or every migration file when none
// does; and any evidence value that is the path of a kept file.
func evidenceFiles(ch grading.CheckResult, code *store.CodeSummary, files func() []snapshot.File) []string {
	var out []string
	add := func(p string) {
		for _, have := range out {
			if have == p {
				return
			}
		}
		if len(out) < maxCodeRefs && code.Lines(p) >= 0 {
			out = append(out, p)
		}
	}
	if ch.ID == grading.SetupProcfile.ID {
		add("Procfile")
	}
	if strings.HasPrefix(ch.ID, "migrations.") {
		var migrations []snapshot.File
		for _, f := range files() {
			if strings.Contains(strings.ToLower(f.Path), "migration") {
				migrations = append(migrations, f)
			}
		}
		words := idWords(strings.TrimPrefix(ch.ID, "migrations."))
		for _, f := range migrations {
			for _, w := range words {
				if strings.Contains(strings.ToLower(f.Content), w) {
					add(f.Path)
					break
				}
			}
		}
		if len(out) == 0 {
			for _, f := range migrations {
				add(f.Path)
			}
		}
	}
	for _, v := range ch.Evidence {
		if s, ok := v.(string); ok && len(s) < 300 {
			if p := snapshot.CleanPath(s); p != "" {
				add(p)
			}
		}
	}
	return out
}

// idWords are the words of a check id that can name what a migration
// touches ("price_column" → "price"); the generic ones are dropped.
func idWords(id string) []string {
	generic := map[string]bool{"column": true, "columns": true, "table": true, "once": true, "index": true, "added": true}
	var out []string
	for _, w := range strings.Split(strings.ToLower(id), "_") {
		if len(w) >= 4 && !generic[w] {
			out = append(out, w)
		}
	}
	return out
}

// linkEvidence fills each check's files from the run's code, reading the
// files themselves at most once and only when a check needs them.
func (s *server) linkEvidence(groups []categoryGroup, code *store.CodeSummary, loadFiles func() ([]snapshot.File, error), submissionID string) error {
	var files []snapshot.File
	var loadErr error
	loaded := false
	lazy := func() []snapshot.File {
		if !loaded {
			files, loadErr = loadFiles()
			loaded = true
		}
		return files
	}
	for gi := range groups {
		for ci := range groups[gi].Checks {
			ch := &groups[gi].Checks[ci]
			for _, p := range evidenceFiles(ch.CheckResult, code, lazy) {
				q := url.Values{"run": {strconv.Itoa(code.Run)}, "path": {p}}
				ch.Files = append(ch.Files, codeRef{Path: p, URL: "/submissions/" + submissionID + "/code?" + q.Encode()})
			}
		}
	}
	if loadErr != nil {
		return fmt.Errorf("link evidence to code: %w", loadErr)
	}
	return nil
}
