package intake

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/assayhq/assay/internal/gitfetch"
)

// ErrUnreachable is wrapped by an *Unreachable: the repository's server says
// the repository or the ref is not there, so the submission is refused
// before it costs an attempt.
var ErrUnreachable = errors.New("repository not reachable")

// Unreachable says which input to fix (Field: "repo_url" or "ref") and why.
type Unreachable struct {
	Field, Reason string
}

func (e *Unreachable) Error() string { return e.Reason }

func (e *Unreachable) Unwrap() error { return ErrUnreachable }

// Reachable asks the repository's server, through p.Probe (gitfetch.Probe
// with the worker's fetch options; nil asks nothing), whether the checked
// URL is a public repository where ref resolves. Only what the candidate
// can fix refuses the submission: when the server or the platform fails,
// the submission is taken (grading will say, and an attempt that ends in
// error is not counted).
func (p Policy) Reachable(ctx context.Context, repoURL, ref string) error {
	if p.Probe == nil {
		return nil
	}
	err := p.Probe(ctx, repoURL, ref)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gitfetch.ErrNoRef):
		return &Unreachable{"ref", reason(err, gitfetch.ErrNoRef)}
	case errors.Is(err, gitfetch.ErrNoRepository):
		return &Unreachable{"repo_url", "no public repository at " + repoURL + ": " + reason(err, gitfetch.ErrNoRepository)}
	case errors.Is(err, gitfetch.ErrRefused):
		return &Unreachable{"repo_url", reason(err, gitfetch.ErrRefused)}
	}
	slog.Warn("repository check failed; the submission is taken", "repo_url", repoURL, "err", err)
	return nil
}

// reason is the part of err after its sentinel's text: what to fix.
func reason(err, sentinel error) string {
	msg := err.Error()
	if i := strings.Index(msg, sentinel.Error()+": "); i >= 0 {
		return msg[i+len(sentinel.Error())+2:]
	}
	return msg
}
