package gitfetch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

var (
	// ErrNoRepository is wrapped when the server says there is no public
	// repository at the URL (not found, or it asks for credentials).
	ErrNoRepository = errors.New("no public repository at this URL")
	// ErrNoRef is wrapped when the repository has no such branch or tag, or
	// no commit at all.
	ErrNoRef = errors.New("ref not found")
)

// Probe bounds: asking for a few refs takes a second; a server that is slow
// or sends a huge ref list is not worth holding a candidate's request for.
const (
	probeTimeout  = 15 * time.Second
	probeMaxBytes = 4 << 20
)

// Probe asks the repository's server, before a submission is accepted,
// whether repoURL is a public repository and ref (a branch or tag, or ""
// for the default branch) resolves. It goes the way Fetch does (the same URL
// checks, CONNECT proxy or forwarder, netpolicy and git configuration) but
// runs only `git ls-remote`, within 15 s and 4 MB. A full commit sha cannot
// be looked up this way: only the repository is checked for one. The
// refusals the candidate can fix wrap ErrRefused, ErrNoRepository or ErrNoRef;
// any other error is the server's or the platform's.
func Probe(ctx context.Context, repoURL, ref string, opt Options) error {
	opt = opt.withDefaults()
	opt.Timeout, opt.MaxBytes = min(opt.Timeout, probeTimeout), min(opt.MaxBytes, probeMaxBytes)
	ctx, cancel := context.WithTimeoutCause(ctx, opt.Timeout, fmt.Errorf("%w: limit %v", ErrTimeout, opt.Timeout))
	defer cancel()
	if err := probe(ctx, repoURL, ref, &opt); err != nil {
		return fmt.Errorf("probe %s: %w", redact(repoURL), err)
	}
	return nil
}

func probe(ctx context.Context, repoURL, ref string, opt *Options) error {
	refspec, err := checkRef(ref)
	if err != nil {
		return err
	}
	src, err := checkSource(ctx, repoURL, opt)
	if err != nil {
		return err
	}
	// ls-remote needs no repository: the empty home is its directory.
	home, err := os.MkdirTemp("", "assay-git-home-")
	if err != nil {
		return fmt.Errorf("git home: %w", err)
	}
	defer os.RemoveAll(home)
	runAs, err := gitUser(opt, src, home)
	if err != nil {
		return err
	}
	ctx, kill := context.WithCancelCause(ctx)
	defer kill(nil)
	m := newMeter(opt.MaxBytes)
	g, remote, stop, err := prepare(ctx, src, opt, m, home, home, kill)
	if err != nil {
		return err
	}
	defer stop()
	g.runAs = runAs
	patterns := []string{"HEAD"}
	if refspec != "HEAD" && !fullSHA.MatchString(refspec) {
		patterns = []string{refspec, "refs/heads/" + refspec, "refs/tags/" + refspec}
	}
	out := &tail{max: int(opt.MaxBytes)}
	args := append([]string{"ls-remote", "--end-of-options", remote}, patterns...)
	if err := g.run(ctx, out, args...); err != nil {
		if errors.Is(err, ErrRefused) || m.over.Load() || ctx.Err() != nil {
			return explain(ctx, err, m, opt)
		}
		return notThere(err)
	}
	if fullSHA.MatchString(refspec) || advertises(out.String(), patterns) {
		return nil
	}
	if refspec == "HEAD" {
		return fmt.Errorf("%w: the repository has no commits on its default branch", ErrNoRef)
	}
	return fmt.Errorf("%w: the repository has no branch or tag %q", ErrNoRef, ref)
}

// advertises reports whether ls-remote's output names one of the refs
// exactly (its patterns also match on a trailing path: "x/main").
func advertises(out string, names []string) bool {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		_, name, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		for _, n := range names {
			if name == n {
				return true
			}
		}
	}
	return false
}

// notThere reads git's complaint: a repository that is missing or asks for
// credentials (git may not prompt) is the candidate's to fix; anything else
// (a connection reset, a server error) is not.
func notThere(err error) error {
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"not found", "could not read username", "authentication failed",
		"terminal prompts disabled", "does not appear to be a git repository", "returned error: 401", "returned error: 403", "returned error: 404"} {
		if strings.Contains(msg, s) {
			return fmt.Errorf("%w: check the URL, and that anyone can clone the repository without signing in", ErrNoRepository)
		}
	}
	return err
}
