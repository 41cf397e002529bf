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
	snap.History = historyOf(res)
	e.o.OnSnapshot(snap)
}

// historyCommits is how many commits of history the fetch asks for beside
// the graded one: a take-home's whole history, as a rule.
const historyCommits = 500

// historyOf is the snapshot's history: the fetch's summary, or, when it
// could not be had, the graded commit alone, marked incomplete.
func historyOf(res *gitfetch.Result) snapshot.History {
	h := res.History
	if h == nil {
		return snapshot.History{Commit: res.Commit, Commits: 1, Authors: 1, First: res.AuthoredAt, Last: res.CommittedAt}
	}
	return snapshot.History{Commit: res.Commit, Commits: h.Commits, Authors: h.Authors, First: h.First, Last: h.Last,
		Complete: h.Complete, LargestShare: h.LargestShare}
}
