// Package webhooks sends an organisation's events to the URLs it gave:
// signed by the Standard Webhooks specification, through an HTTP client
// that connects only to public addresses (the URLs are user input), with
// every attempt logged and retries spread over about three days.
package webhooks

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"

	"github.com/assayhq/assay/internal/netpolicy"
)

// ErrRefused marks a URL or an address webhooks may not be sent to.
var ErrRefused = errors.New("refused")

// CheckURL accepts a webhook URL: https with a host and no credentials, or
// http to a loopback host when allowLoopback. An IP literal must be an
// address netpolicy allows; names are checked at send time, against the
// address actually connected to.
func CheckURL(raw string, allowLoopback bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%w: %q is not an absolute URL", ErrRefused, raw)
	}
	if len(raw) > 2000 {
		return fmt.Errorf("%w: the URL is longer than 2000 characters", ErrRefused)
	}
	if u.User != nil {
		return fmt.Errorf("%w: the URL must not carry credentials", ErrRefused)
	}
	if u.Fragment != "" {
		return fmt.Errorf("%w: the URL must not have a fragment", ErrRefused)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return fmt.Errorf("%w: the URL has no host", ErrRefused)
	}
	loopbackName := host == "localhost" || strings.HasSuffix(host, ".localhost")
	ip, ipErr := netip.ParseAddr(host)
	switch u.Scheme {
	case "https":
	case "http":
		if !allowLoopback || !(loopbackName || (ipErr == nil && ip.Unmap().IsLoopback())) {
			return fmt.Errorf("%w: webhook URLs must use https", ErrRefused)
		}
	default:
		return fmt.Errorf("%w: webhook URLs must use https", ErrRefused)
	}
	if loopbackName && !allowLoopback {
		return fmt.Errorf("%w: %s is a loopback host", ErrRefused, host)
	}
	if ipErr == nil {
		if err := (netpolicy.Policy{AllowLoopback: allowLoopback}).Check(ip); err != nil {
			return fmt.Errorf("%w: %w", ErrRefused, err)
		}
	}
	if p := u.Port(); p != "" {
		if _, err := net.LookupPort("tcp", p); err != nil {
			return fmt.Errorf("%w: bad port %q", ErrRefused, p)
		}
	}
	return nil
}
