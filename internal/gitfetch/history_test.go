package gitfetch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/gitfetch/gittest"
)

// TestHistorySummary: asked for history, the fetch reports the commits up to
// the graded one: how many, by how many authors, over what time, whether
// that is all of it, and the largest commit's share of the lines added.
func TestHistorySummary(t *testing.T) {
	repo, _ := gittest.MakeRepo(t, map[string]string{"main.go": strings.Repeat("line\n", 8)})
	gittest.Commit(t, repo, map[string]string{"extra.go": "a\nb\n"})
	if err := os.WriteFile(filepath.Join(repo, "late.go"), []byte("c\nd\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, repo, "add", "--all")
	gittest.Git(t, repo, "commit", "--quiet", "--message", "late", "--author", "Bea <Bea@Example.com>", "--date", "2026-01-03T00:00:00Z")
	url := gittest.Serve(t, repo)

	for _, tc := range []struct {
		name string
		ask  int
		want *History
	}{
		{"all of it", 50, &History{Commits: 3, Authors: 2, First: day(1), Last: day(3), Complete: true, LargestShare: 8.0 / 12}},
		{"the latest two", 2, &History{Commits: 2, Authors: 2, First: day(1), Last: day(3), Complete: false}},
		{"not asked", 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Fetch(context.Background(), url, "", emptyDir(t), Options{AllowLoopbackHTTP: true, History: tc.ask})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.want == nil && res.History != nil:
				t.Errorf("history %+v, not asked for", res.History)
			case tc.want != nil && (res.History == nil || *res.History != *tc.want):
				t.Errorf("history %+v, want %+v", res.History, tc.want)
			}
		})
	}
}

func day(n int) time.Time { return time.Date(2026, 1, n, 0, 0, 0, 0, time.UTC) }

// TestHistoryOverItsCapLeavesTheFetchWhole: a history heavier than its own
// cap is left unknown, and the checkout is there all the same.
func TestHistoryOverItsCapLeavesTheFetchWhole(t *testing.T) {
	repo, _ := gittest.MakeRepo(t, map[string]string{"blob.bin": randomString(t, historyMaxBytes+(1<<20))})
	last := gittest.Commit(t, repo, map[string]string{"blob.bin": "small now"})
	res, err := Fetch(context.Background(), gittest.Serve(t, repo), "", emptyDir(t), Options{AllowLoopbackHTTP: true, History: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit != last || res.History != nil {
		t.Errorf("commit %s (want %s), history %+v (want unknown)", res.Commit, last, res.History)
	}
}
