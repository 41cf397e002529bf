package run

import (
	"log/slog"

	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/snapshot"
)

// keepSnapshot hands the checkout's text files and what is known of its
// history to Options.OnSnapshot, before the build can change the tree. A
// snapshot that cannot be taken costs the reviewer the code browser, never
// the grade: it is logged, and grading goes on.
func (e *boxEngine) keepSnapshot(res *gitfetch.Result) {
	if e.o.OnSnapshot == nil {
		return
	}
	snap, err := snapshot.Take(e.root.FS(), snapshot.Limits{})
	if err != nil {
		slog.Warn("take code snapshot", "repo", e.o.RepoURL, "err", err)
		return
	}
	// The fetch is shallow: the graded commit is the only one known, so the
	// summary says one commit by one author and that the history is partial.
	snap.History = snapshot.History{Commit: res.Commit, Commits: 1, Authors: 1,
		First: res.AuthoredAt, Last: res.CommittedAt, Complete: false}
	e.o.OnSnapshot(snap)
}
