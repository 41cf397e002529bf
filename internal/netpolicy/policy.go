// Package netpolicy decides which addresses Assay may dial on behalf of user
// input: the repository git fetches, the URLs webhooks are sent to and the
// package registries a build reaches through the sandbox's egress proxy. One
// table of refused ranges (policy.go), the host's own addresses (own.go) and
// a dialer that resolves, checks every address and dials exactly a checked
// one (dialer.go).
package netpolicy

import (
	"errors"
	"net/netip"
)

// ErrRefused is matched (errors.Is) by every refusal of an address or a host.
var ErrRefused = errors.New("address refused")

// RefusedError says which address or host was refused and why, in words a
// candidate or an administrator understands.
type RefusedError struct {
	Host   string // the name that resolved to Target, if any
	Target string // the address, or the host name ("localhost")
	Reason string // "a loopback address"
}

func (e *RefusedError) Error() string {
	if e.Host != "" {
		return e.Host + " resolves to " + e.Target + ", " + e.Reason
	}
	return e.Target + " is " + e.Reason
}

func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// Policy is the verdict on one address. The zero value is production.
type Policy struct {
	// AllowLoopback lets loopback addresses through: the ASSAY_ALLOW_LOOPBACK
	// dev/test switch, and nothing else ever sets it.
	AllowLoopback bool
	// AllowUnrouted lets the documentation and benchmarking ranges through.
	// Only the build egress proxy sets it: its hosts are package registries
	// the operator named, and such a name answering from a range the
	// internet never routes is a mirror on the operator's own network (test
	// networks use these ranges). Everything that reaches inside a host or a
	// private network (loopback, private, link-local, shared, the host's own
	// addresses) stays refused. User-supplied URLs never get it.
	AllowUnrouted bool
}

// Check applies the production policy: nil for a public unicast address,
// else a *RefusedError saying which range ip is in.
func Check(ip netip.Addr) error { return Policy{}.Check(ip) }

// Check returns nil when ip may be dialled, else a *RefusedError.
func (p Policy) Check(ip netip.Addr) error {
	ip = ip.Unmap() // ::ffff:a.b.c.d is a.b.c.d on the wire
	if p.AllowLoopback && ip.IsLoopback() {
		return nil
	}
	why, unrouted := classify(ip)
	if why == "" || (unrouted && p.AllowUnrouted) {
		if p.AllowUnrouted && own.contains(ip) {
			return &RefusedError{Target: ip.String(), Reason: "an address of this host"}
		}
		return nil
	}
	return &RefusedError{Target: ip.String(), Reason: why}
}

// rule is one refused range. A range that carries an IPv4 address (NAT64,
// 6to4, IPv4-compatible) names how to read it: a refused IPv4 address is
// never reachable through its IPv6 form.
type rule struct {
	prefix netip.Prefix
	what   string
	// embedded extracts the IPv4 address the range carries (nil: none).
	embedded func(netip.Addr) netip.Addr
	// asEmbedded: the address is exactly as good as its embedded IPv4
	// (NAT64's well-known prefix, which DNS64 answers with on IPv6-only
	// networks); otherwise the whole range is refused.
	asEmbedded bool
	// unrouted marks ranges the internet never routes but that reach no
	// host or private network either (documentation, benchmarking): see
	// Policy.AllowUnrouted.
	unrouted bool
}

// refused is the table, searched in order: a narrower range comes before the
// wider one that contains it. Ranges not listed are public, except IPv6
// outside 2000::/3 (see classify).
var refused = []rule{
	// IPv4
	{prefix: pfx("0.0.0.0/32"), what: "the unspecified address"},
	{prefix: pfx("0.0.0.0/8"), what: "a \"this network\" address"},
	{prefix: pfx("10.0.0.0/8"), what: "a private address"},
	{prefix: pfx("100.64.0.0/10"), what: "a carrier-grade NAT (shared) address"},
	{prefix: pfx("127.0.0.0/8"), what: "a loopback address"},
	{prefix: pfx("169.254.0.0/16"), what: "a link-local address (cloud metadata lives here)"},
	{prefix: pfx("172.16.0.0/12"), what: "a private address"},
	{prefix: pfx("192.0.0.0/24"), what: "an IETF protocol assignment address"},
	{prefix: pfx("192.0.2.0/24"), what: "a documentation address", unrouted: true},
	{prefix: pfx("192.168.0.0/16"), what: "a private address"},
	{prefix: pfx("198.18.0.0/15"), what: "a benchmarking address", unrouted: true},
	{prefix: pfx("198.51.100.0/24"), what: "a documentation address", unrouted: true},
	{prefix: pfx("203.0.113.0/24"), what: "a documentation address", unrouted: true},
	{prefix: pfx("224.0.0.0/4"), what: "a multicast address"},
	{prefix: pfx("255.255.255.255/32"), what: "the broadcast address"},
	{prefix: pfx("240.0.0.0/4"), what: "a reserved address"},
	// IPv6
	{prefix: pfx("::/128"), what: "the unspecified address"},
	{prefix: pfx("::1/128"), what: "a loopback address"},
	{prefix: pfx("::/96"), what: "a deprecated IPv4-compatible address", embedded: low32},
	{prefix: pfx("64:ff9b::/96"), what: "a NAT64 address", embedded: low32, asEmbedded: true},
	{prefix: pfx("64:ff9b:1::/48"), what: "a local-use NAT64 address"},
	{prefix: pfx("100::/64"), what: "a discard-only address"},
	{prefix: pfx("2001::/32"), what: "a Teredo address"},
	{prefix: pfx("2001:2::/48"), what: "a benchmarking address", unrouted: true},
	{prefix: pfx("2001:20::/28"), what: "an ORCHID address"},
	{prefix: pfx("2001:db8::/32"), what: "a documentation address", unrouted: true},
	{prefix: pfx("2002::/16"), what: "a 6to4 address", embedded: sixToFour},
	{prefix: pfx("3fff::/20"), what: "a documentation address", unrouted: true},
	{prefix: pfx("fc00::/7"), what: "a unique local (private) address"},
	{prefix: pfx("fe80::/10"), what: "a link-local address"},
	{prefix: pfx("fec0::/10"), what: "a site-local address"},
	{prefix: pfx("ff00::/8"), what: "a multicast address"},
}

// globalUnicast is the only IPv6 space allocated for public unicast; the
// rest is reserved (the table names the ranges with a clearer reason).
var globalUnicast = pfx("2000::/3")

// classify returns why ip is refused, or "" when it is public, and whether
// the range is only unrouted (see rule.unrouted). An embedded IPv4 address is
// classified the same way, own addresses included.
func classify(ip netip.Addr) (why string, unrouted bool) {
	switch {
	case !ip.IsValid():
		return "not a valid address", false
	case ip.Zone() != "":
		return "an address with a zone (only link-local addresses have one)", false
	}
	for _, r := range refused {
		if !r.prefix.Contains(ip) {
			continue
		}
		if r.embedded != nil {
			v4 := r.embedded(ip)
			if why, _ := classify(v4); why != "" {
				return r.what + " embedding " + v4.String() + ", " + why, false
			}
			if r.asEmbedded {
				return "", false
			}
		}
		return r.what, r.unrouted
	}
	if ip.Is6() && !globalUnicast.Contains(ip) {
		return "a reserved IPv6 address (outside 2000::/3)", false
	}
	if own.contains(ip) {
		return "an address of this host", false
	}
	return "", false
}

// low32 is the IPv4 address in the last 32 bits (IPv4-compatible, NAT64 /96).
func low32(ip netip.Addr) netip.Addr {
	b := ip.As16()
	return netip.AddrFrom4([4]byte(b[12:16]))
}

// sixToFour is the IPv4 address of a 6to4 address (2002:AABB:CCDD::/48).
func sixToFour(ip netip.Addr) netip.Addr {
	b := ip.As16()
	return netip.AddrFrom4([4]byte(b[2:6]))
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
