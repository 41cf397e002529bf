// Package gitfetch clones a candidate's repository safely: https only, to
// public addresses only (checked when git connects, not just when the URL is
// submitted), shallow, without submodules, hooks, credential helpers or any
// configuration of the worker, and within a time and a size cap that stop
// the transfer itself. The checkout is data, not trusted code: read and
// write it through os.Root (see WriteFile).
package gitfetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/assayhq/assay/internal/netpolicy"
)

// Resolver looks up host addresses; *net.Resolver is one.
type Resolver = netpolicy.Resolver

// Options tune Fetch. The zero value is the production policy.
type Options struct {
	AllowLocal        bool          // local path or file:// (command line and tests only)
	AllowLoopbackHTTP bool          // http:// to a loopback host (ASSAY_ALLOW_LOOPBACK dev/test switch)
	Timeout           time.Duration // whole fetch and checkout; default 60 s
	MaxBytes          int64         // transfer and checkout size; default 200 MB
	Resolver          Resolver      // default net.DefaultResolver; tests pass a stub
	// Dial connects to an address that passed netpolicy's checks (default:
	// netpolicy's dialer); tests pass one that fails on any unexpected address.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// CAFile, when set, is the PEM bundle git verifies https servers
	// against instead of the system's (tests with a loopback TLS server).
	CAFile string
	// RunAs, when set, is the user git runs as for a remote fetch: the
	// grader passes the sandbox box's own unprivileged user, so a hostile
	// server or repository meets git without root's rights. dest must
	// belong to that user. A local source is read as the caller (command
	// line and tests only), since the unprivileged user may not reach it.
	RunAs *syscall.Credential
	// History, above 0, asks for up to that many commits of history after
	// the checkout, for Result.History: best effort, with its own time and
	// size caps, so it never fails the fetch.
	History int
}

const (
	defaultTimeout  = 60 * time.Second
	defaultMaxBytes = 200 << 20
)

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = defaultMaxBytes
	}
	return o
}

// dialer applies netpolicy to the https path: public addresses only, whatever
// AllowLoopbackHTTP says (that switch is for http:// and the forwarder).
func (o *Options) dialer() *netpolicy.Dialer {
	return &netpolicy.Dialer{Resolver: o.Resolver, Dial: o.Dial}
}

// Result describes what was checked out.
type Result struct {
	Commit string // full sha of the checked-out commit
	Ref    string // the ref fetched ("HEAD": the default branch)
	Bytes  int64  // bytes received from the server (local: written to .git)
	// AuthoredAt and CommittedAt are the commit's own dates (the candidate's
	// clock: reported, not trusted).
	AuthoredAt, CommittedAt time.Time
	// History summarises the commits up to this one when Options.History
	// asked for it and they could be had; nil otherwise.
	History *History
}

var (
	// ErrTooLarge is wrapped when the transfer or the checkout passes MaxBytes.
	ErrTooLarge = errors.New("repository too large")
	// ErrTimeout is wrapped when the fetch passes Timeout.
	ErrTimeout = errors.New("fetch took too long")
)

// Fetch checks out ref (a branch, tag, full commit sha, or "" for the
// default branch) of repoURL into dest, which must exist and be empty.
func Fetch(ctx context.Context, repoURL, ref, dest string, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	ctx, cancel := context.WithTimeoutCause(ctx, opt.Timeout,
		fmt.Errorf("%w: limit %v", ErrTimeout, opt.Timeout))
	defer cancel()
	res, err := fetch(ctx, repoURL, ref, dest, &opt)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", redact(repoURL), err)
	}
	return res, nil
}

func fetch(ctx context.Context, repoURL, ref, dest string, opt *Options) (*Result, error) {
	refspec, err := checkRef(ref)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dest); err != nil || len(entries) > 0 {
		return nil, fmt.Errorf("destination %s must be an existing empty directory", dest)
	}
	dest, err = filepath.Abs(dest) // git's safe.directory wants it absolute
	if err != nil {
		return nil, fmt.Errorf("destination %s: %w", dest, err)
	}
	src, err := checkSource(ctx, repoURL, opt)
	if err != nil {
		return nil, err
	}
	home, err := os.MkdirTemp("", "assay-git-home-")
	if err != nil {
		return nil, fmt.Errorf("git home: %w", err)
	}
	defer os.RemoveAll(home)
	runAs, err := gitUser(opt, src, home)
	if err != nil {
		return nil, err
	}

	ctx, kill := context.WithCancelCause(ctx)
	defer kill(nil)
	m := newMeter(opt.MaxBytes)
	g, remote, stop, err := prepare(ctx, src, opt, m, dest, home, kill)
	if err != nil {
		return nil, err
	}
	defer stop()
	g.runAs = runAs

	if err := g.run(ctx, nil, "init", "--quiet", "--template="); err != nil {
		return nil, err
	}
	err = g.run(ctx, nil, "fetch", "--quiet", "--depth=1", "--no-tags", "--no-recurse-submodules",
		"--end-of-options", remote, refspec)
	// The transfer is over: what follows is local, and must not be counted
	// against the transfer cap (the checkout has its own check).
	stop()
	if err != nil {
		return nil, explain(ctx, err, m, opt)
	}
	commit, err := g.output(ctx, "rev-parse", "--verify", "--end-of-options", "FETCH_HEAD^{commit}")
	if err != nil {
		return nil, err
	}
	if err := checkTreeSize(ctx, g, commit, opt.MaxBytes); err != nil {
		return nil, err
	}
	if err := g.run(ctx, nil, "checkout", "--quiet", "--detach", commit); err != nil {
		return nil, explain(ctx, err, m, opt)
	}
	res := &Result{Commit: commit, Ref: refspec, Bytes: m.n.Load()}
	if dates, err := g.output(ctx, "show", "--no-patch", "--format=%at %ct", commit); err == nil {
		var authored, committed int64
		if _, err := fmt.Sscan(dates, &authored, &committed); err == nil {
			res.AuthoredAt, res.CommittedAt = time.Unix(authored, 0).UTC(), time.Unix(committed, 0).UTC()
		}
	}
	if opt.History > 1 {
		res.History = readHistory(ctx, src, opt, g, dest, home, refspec, commit, opt.History)
	}
	return res, nil
}

// gitUser is who git runs as: opt.RunAs for a remote source, given git's
// home; the caller for a local path (command line and tests), which the
// unprivileged user may not reach.
func gitUser(opt *Options, src *source, home string) (*syscall.Credential, error) {
	if opt.RunAs == nil || src.kind == localPath {
		return nil, nil
	}
	if err := os.Chown(home, int(opt.RunAs.Uid), int(opt.RunAs.Gid)); err != nil {
		return nil, fmt.Errorf("git home: %w", err)
	}
	return opt.RunAs, nil
}

// prepare starts what carries the transfer for src (proxy, forwarder or
// size watcher) and returns git configured to use it, the URL to give git,
// and the function that stops it all (safe to call more than once).
func prepare(ctx context.Context, src *source, opt *Options, m *meter, dest, home string, kill context.CancelCauseFunc) (*gitCmd, string, func(), error) {
	switch src.kind {
	case remoteHTTPS:
		p, err := startConnectProxy(ctx, opt, m, src)
		if err != nil {
			return nil, "", nil, err
		}
		// A redirect on the first request is followed (a renamed repository,
		// a missing ".git"), but only within the repository's host: the proxy
		// refuses to connect anywhere else.
		g := newGit(dest, home, opt, "https", "http.proxy="+p.url(), "http.followRedirects=initial")
		g.refusal = p.refused
		return g, src.url.String(), p.close, nil
	case loopbackHTTP:
		f, err := startForwarder(ctx, opt, m, src)
		if err != nil {
			return nil, "", nil, err
		}
		// A redirect would leave the forwarder: not followed.
		g := newGit(dest, home, opt, "http", "http.proxy=", "http.followRedirects=false")
		return g, f.url(src), f.close, nil
	default:
		stop := watchSize(ctx, filepath.Join(dest, ".git"), m, kill)
		// The absolute path itself, not a file:// URL (which git would have to
		// percent-decode); git fetches from it shallow all the same.
		return newGit(dest, home, opt, "file"), src.path, stop, nil
	}
}

// explain turns a failed git run into the reason that matters: a cap, the
// proxy's refusal, or git's own message.
func explain(ctx context.Context, err error, m *meter, opt *Options) error {
	switch {
	case m.over.Load():
		return fmt.Errorf("%w: transfer passed the %s limit", ErrTooLarge, size(opt.MaxBytes))
	case ctx.Err() != nil:
		return context.Cause(ctx)
	}
	return err
}

// size says n bytes in the unit a limit is usually given in.
func size(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// redact hides credentials a URL may carry (a token is often the user
// name alone), so they reach no message.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = url.User("REDACTED")
		return u.String()
	}
	return raw
}
