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
)

// ErrRefused marks a URL or an address webhooks may not be sent to.
var ErrRefused = errors.New("refused")

// blockedPrefixes are ranges that are not the public internet besides those
// netip's predicates cover: carrier-grade NAT, "this network", benchmarking,
// IPv6 NAT64 and the IPv4 broadcast address.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"), // 6to4 can embed a private IPv4 address
}

// AllowedAddr reports whether a webhook may connect to ip: a public unicast
// address, or loopback when allowLoopback (development and tests).
func AllowedAddr(ip netip.Addr, allowLoopback bool) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return allowLoopback
	}
	if !ip.IsValid() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// CheckURL accepts a webhook URL: https with a host and no credentials, or
// http to a loopback host when allowLoopback. An IP literal must be an
// allowed address; names are checked again at send time, against the
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
	if ipErr == nil && !AllowedAddr(ip, allowLoopback) {
		return fmt.Errorf("%w: %s is not a public address", ErrRefused, host)
	}
	if p := u.Port(); p != "" {
		if _, err := net.LookupPort("tcp", p); err != nil {
			return fmt.Errorf("%w: bad port %q", ErrRefused, p)
		}
	}
	return nil
}
