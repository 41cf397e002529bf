package gitfetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/assayhq/assay/internal/netpolicy"
)

// ErrRefused is wrapped by every refusal of a URL or of an address it
// resolves to; the message says why, in words a candidate understands.
var ErrRefused = errors.New("repository URL refused")

func refused(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, args...))
}

type sourceKind int

const (
	remoteHTTPS  sourceKind = iota // the production path, through the CONNECT proxy
	loopbackHTTP                   // dev/test switch, through the counting forwarder
	localPath                      // command line and tests
)

// source is a repository URL that passed the checks.
type source struct {
	kind  sourceKind
	url   *url.URL     // remote kinds
	addrs []netip.Addr // remoteHTTPS: the checked addresses of url's host
	path  string       // localPath: absolute directory
}

// hostname is an ASCII DNS name; anything else (IDN, underscores, trailing
// dot tricks) is refused rather than interpreted.
var hostname = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// checkSource parses raw and applies the policy: https to public addresses
// only, plus the opt-in local and loopback-http kinds.
func checkSource(ctx context.Context, raw string, opt *Options) (*source, error) {
	scheme, _, hasScheme := strings.Cut(raw, "://")
	switch {
	case !hasScheme && scpLike(raw):
		return nil, refused("ssh URLs (%s) are not accepted; use the https:// URL of the repository", raw)
	case !hasScheme || strings.EqualFold(scheme, "file"):
		return checkLocal(raw, opt) // a local path may well contain spaces
	case strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return nil, refused("the URL contains spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, refused("not a valid URL: %v", err)
	}
	switch {
	case u.Scheme == "http" && !opt.AllowLoopbackHTTP:
		return nil, refused("plain http:// is not accepted; use https://")
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, refused("%s:// URLs are not accepted; use https://", u.Scheme)
	case u.User != nil:
		return nil, refused("the URL carries credentials; only public repositories can be graded")
	case u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return nil, refused("the URL has a query or fragment; give the plain repository URL")
	}
	if u.Scheme == "http" {
		return checkLoopbackHTTP(u)
	}
	if p := u.Port(); p != "" && p != "443" {
		return nil, refused("port %s: only the standard https port 443 is accepted", p)
	}
	addrs, err := resolve(ctx, opt.dialer(), u.Hostname())
	if err != nil {
		return nil, err
	}
	return &source{kind: remoteHTTPS, url: u, addrs: addrs}, nil
}

// scpLike reports git's "[user@]host:path" form: a colon before any slash.
func scpLike(s string) bool {
	colon := strings.IndexByte(s, ':')
	return colon > 0 && !strings.Contains(s[:colon], "/")
}

func checkLocal(raw string, opt *Options) (*source, error) {
	if !opt.AllowLocal {
		return nil, refused("local paths and file:// URLs are accepted only from the command line")
	}
	p := raw
	if u, err := url.Parse(raw); err == nil && strings.EqualFold(u.Scheme, "file") {
		if u.Host != "" && u.Host != "localhost" {
			return nil, refused("file:// URL names host %q", u.Host)
		}
		p = u.Path
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("local repository %s: %w", p, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("local repository %s: not a directory", abs)
	}
	return &source{kind: localPath, path: abs}, nil
}

// checkLoopbackHTTP accepts http:// only to this machine (a dev/test
// switch); "localhost" is taken as 127.0.0.1 without asking any resolver.
func checkLoopbackHTTP(u *url.URL) (*source, error) {
	host := u.Hostname()
	if host != "localhost" {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Unmap().IsLoopback() {
			return nil, refused("plain http:// is accepted only to a loopback address, not %s", host)
		}
	}
	return &source{kind: loopbackHTTP, url: u}, nil
}

// resolve returns the addresses of host, all of which netpolicy allows: a
// name answering with a public and a private address is refused whole.
func resolve(ctx context.Context, d *netpolicy.Dialer, host string) ([]netip.Addr, error) {
	host = strings.ToLower(host)
	if _, err := netip.ParseAddr(host); err != nil && !hostname.MatchString(host) {
		return nil, refused("%q is not a valid host name", host)
	}
	addrs, err := d.Resolve(ctx, host)
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, netpolicy.ErrRefused):
		return nil, refused("%v", err)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return nil, refused("host %s does not exist", host)
	case err != nil:
		return nil, err
	}
	return addrs, nil
}
