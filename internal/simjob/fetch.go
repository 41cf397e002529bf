package simjob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/sandbox"
	"github.com/assayhq/assay/internal/snapshot"
)

// GitFetcher fetches a known solution the way the grader fetches a
// submission: gitfetch's policy (https to public addresses only, checked
// where git connects; caps; nothing of the worker reaches git) and, with a
// Sandbox, git running as a box's unprivileged user in the box's checkout.
// The snapshot is taken through an os.Root, by the snapshot's rules.
type GitFetcher struct {
	Options gitfetch.Options
	// Sandbox gives the box git runs in; nil fetches into a temporary
	// directory as the caller (tests).
	Sandbox *sandbox.Manager
}

// Snapshot fetches the default branch of repoURL and snapshots it.
func (f GitFetcher) Snapshot(ctx context.Context, repoURL string) (*snapshot.Snapshot, string, error) {
	opt := f.Options
	opt.AllowLocal = false // a URL an admin typed is never a path on the worker
	dir, done, err := f.checkoutDir(ctx, &opt)
	if err != nil {
		return nil, "", err
	}
	defer done()
	res, err := gitfetch.Fetch(ctx, repoURL, "", dir, opt)
	if err != nil {
		return nil, "", err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", fmt.Errorf("open checkout of %s: %w", repoURL, err)
	}
	defer root.Close()
	snap, err := snapshot.Take(root.FS(), snapshot.Limits{})
	if err != nil {
		return nil, "", fmt.Errorf("snapshot %s: %w", repoURL, err)
	}
	return snap, res.Commit, nil
}

// checkoutDir is an empty directory to fetch into and what removes it.
func (f GitFetcher) checkoutDir(ctx context.Context, opt *gitfetch.Options) (string, func(), error) {
	if f.Sandbox == nil {
		dir, err := os.MkdirTemp("", "assay-known-")
		if err != nil {
			return "", nil, fmt.Errorf("known solution checkout: %w", err)
		}
		return dir, func() { os.RemoveAll(dir) }, nil
	}
	box, err := f.Sandbox.NewBox(ctx, boxName())
	if err != nil {
		return "", nil, fmt.Errorf("known solution box: %w", err)
	}
	opt.RunAs = box.Owner()
	return box.Dir(), func() { box.Close() }, nil
}

// boxName is unique among live boxes and matches the sandbox's pattern.
func boxName() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails: Go's crypto/rand crashes the program instead
	return "known-" + hex.EncodeToString(b)
}
