package gitfetch

import (
	"bufio"
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// History is what the commits up to the graded one say of how the work was
// done, for the reviewer: how many, by how many authors, over what time, and
// whether one commit holds most of the lines (a repository pasted in at
// once). Dates and authors are the candidate's to write: reported, not
// trusted.
type History struct {
	Commits, Authors int
	First, Last      time.Time // the earliest and latest author dates
	// Complete says the whole history was fetched; otherwise it is the
	// latest Commits commits.
	Complete bool
	// LargestShare is the largest commit's share of the lines added
	// (0 to 1); 0 when no lines were added or the history is not Complete.
	LargestShare float64
}

// Bounds of the history fetch: best effort, after the checkout, with caps of
// its own, so a long or heavy history leaves the summary unknown and never
// fails the fetch.
const (
	historyTimeout  = 20 * time.Second
	historyMaxBytes = 20 << 20
)

// readHistory deepens the shallow fetch by up to depth commits through a
// transfer of its own (the same proxy rules, its own meter and deadline) and
// summarises them. It returns nil when the history could not be had.
func readHistory(ctx context.Context, src *source, opt *Options, g0 *gitCmd, dest, home, refspec, commit string, depth int) *History {
	ctx, cancel := context.WithTimeout(ctx, historyTimeout)
	defer cancel()
	ctx, kill := context.WithCancelCause(ctx)
	defer kill(nil)
	m := newMeter(historyMaxBytes)
	g, remote, stop, err := prepare(ctx, src, opt, m, dest, home, kill)
	if err != nil {
		return nil
	}
	g.runAs = g0.runAs
	err = g.run(ctx, nil, "fetch", "--quiet", "--deepen="+strconv.Itoa(depth-1), "--no-tags", "--no-recurse-submodules",
		"--end-of-options", remote, refspec)
	stop()
	if err != nil {
		return nil
	}
	out := &tail{max: 1 << 20}
	if err := g.run(ctx, out, "log", "--no-color", "--format=%x00%ae%x09%at", "--shortstat", "--end-of-options", commit); err != nil {
		return nil
	}
	h := summarise(out.String())
	if shallow, err := g.output(ctx, "rev-parse", "--is-shallow-repository"); err == nil {
		h.Complete = shallow == "false"
	}
	if !h.Complete {
		// The oldest commit fetched looks as if it added every file: its
		// parent is not there. Shares are only fair over the whole history.
		h.LargestShare = 0
	}
	return h
}

var insertions = regexp.MustCompile(`(\d+) insertions?\(\+\)`)

// summarise reads `git log --format=%x00%ae%x09%at --shortstat`.
func summarise(log string) *History {
	h := &History{}
	authors := map[string]bool{}
	var added []int
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if head, ok := bytes.CutPrefix(line, []byte{0}); ok {
			email, at, _ := strings.Cut(string(head), "\t")
			sec, err := strconv.ParseInt(at, 10, 64)
			if err != nil {
				continue
			}
			t := time.Unix(sec, 0).UTC()
			h.Commits++
			authors[strings.ToLower(email)] = true
			if h.First.IsZero() || t.Before(h.First) {
				h.First = t
			}
			if t.After(h.Last) {
				h.Last = t
			}
			added = append(added, 0)
			continue
		}
		if m := insertions.FindSubmatch(line); m != nil && len(added) > 0 {
			n, _ := strconv.Atoi(string(m[1]))
			added[len(added)-1] = n
		}
	}
	h.Authors = len(authors)
	total, largest := 0, 0
	for _, n := range added {
		total += n
		largest = max(largest, n)
	}
	if total > 0 {
		h.LargestShare = float64(largest) / float64(total)
	}
	return h
}
