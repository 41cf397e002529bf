// Package intake checks what a candidate submits before anything is stored:
// the repository URL and the git ref. RepoURL and Ref need no network (the
// fetch checks again the address it actually connects to); Reachable then
// asks the repository's server, when a probe is wired.
package intake

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// ErrRejected wraps every refusal; the message says what to change.
var ErrRejected = errors.New("rejected")

// Policy is what repositories are accepted.
type Policy struct {
	// Hosts are the allowed repository hosts, lower case. A loopback entry
	// carries its port ("127.0.0.1:9418") and is honoured only with AllowLoopback.
	Hosts []string
	// AllowLoopback is the dev/test switch that lets http:// reach a listed loopback host.
	AllowLoopback bool
	// Probe asks the repository's server whether a URL and ref exist
	// (gitfetch.Probe with the worker's fetch options); nil skips the
	// question (tests with made-up repositories).
	Probe func(ctx context.Context, repoURL, ref string) error
}

const maxURLLength = 2048

var pathSegment = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// RepoURL checks a repository URL and returns it in a canonical form.
func (p Policy) RepoURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", reject("repo_url is required")
	}
	if len(raw) > maxURLLength {
		return "", reject("repo_url is longer than %d characters", maxURLLength)
	}
	if strings.ContainsAny(raw, " \t\r\n\\") || strings.ContainsFunc(raw, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", reject("repo_url contains spaces or control characters")
	}
	if !strings.Contains(raw, "://") {
		return "", reject("repo_url must be an https:// URL (SSH and scp-style addresses are not accepted)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", reject("repo_url is not a valid URL")
	}
	scheme := strings.ToLower(u.Scheme)
	if u.User != nil {
		return "", reject("repo_url must not contain credentials; make the repository public or share it with a link that needs none")
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	hostport := host
	if port != "" {
		hostport = net.JoinHostPort(host, port)
	}
	loopbackListed := p.AllowLoopback && isLoopback(host) && port != "" && slices.Contains(p.Hosts, hostport)
	switch {
	case scheme == "https":
	case scheme == "http" && loopbackListed:
	default:
		return "", reject("repo_url must use https, not %q", scheme)
	}
	if host == "" {
		return "", reject("repo_url has no host")
	}
	if !loopbackListed {
		if _, err := netip.ParseAddr(host); err == nil || strings.HasPrefix(u.Host, "[") {
			return "", reject("repo_url must name a host, not an IP address")
		}
		if port != "" && port != "443" {
			return "", reject("repo_url must not use port %s; only the standard https port is accepted", port)
		}
		if !slices.Contains(p.Hosts, host) {
			return "", reject("repositories on %s are not accepted; allowed hosts: %s", host, strings.Join(p.Hosts, ", "))
		}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", reject("repo_url must not have a query or fragment")
	}
	path := strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), ".git")
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(segs) < 2 || len(segs) > 6 {
		return "", reject("repo_url does not look like a repository (want https://%s/OWNER/REPOSITORY)", host)
	}
	for _, s := range segs {
		if !pathSegment.MatchString(s) || strings.Contains(s, "..") {
			return "", reject("repo_url does not look like a repository (want https://%s/OWNER/REPOSITORY)", host)
		}
	}
	canon := url.URL{Scheme: scheme, Host: hostport, Path: "/" + strings.Join(segs, "/")}
	return canon.String(), nil
}

// isLoopback reports a loopback IP literal or "localhost".
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

const maxRefLength = 255

var refChars = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)

// Ref checks a branch, tag or commit name (empty means the default branch),
// by git's own rules for ref names, narrowed to characters a ref plausibly has.
func Ref(ref string) error {
	if ref == "" {
		return nil
	}
	switch {
	case len(ref) > maxRefLength:
		return reject("ref is longer than %d characters", maxRefLength)
	case !refChars.MatchString(ref):
		return reject("ref may contain only letters, digits, '.', '_', '-' and '/'")
	case strings.HasPrefix(ref, "-"), strings.HasPrefix(ref, "/"), strings.HasPrefix(ref, "."):
		return reject("ref must not start with '-', '/' or '.'")
	case strings.HasSuffix(ref, "/"), strings.HasSuffix(ref, "."), strings.HasSuffix(ref, ".lock"):
		return reject("ref must not end with '/', '.' or '.lock'")
	case strings.Contains(ref, ".."), strings.Contains(ref, "//"), strings.Contains(ref, "/."):
		return reject("ref must not contain '..', '//' or '/.'")
	}
	return nil
}

func reject(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRejected, fmt.Sprintf(format, args...))
}
