package gitfetch

import (
	"fmt"
	"net/netip"
)

// blocked lists address ranges a submission URL must never reach besides
// those netip classifies itself (loopback, private, link-local, multicast,
// unspecified): they lead to the worker, its network or its cloud provider
// (169.254.169.254 is link-local), or embed an IPv4 address a translator
// could turn into one of those.
var blocked = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\""},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT (shared)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking network"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard-only"},
	{netip.MustParsePrefix("2001::/32"), "Teredo"},
	{netip.MustParsePrefix("2002::/16"), "6to4"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
}

// checkAddr returns nil when a is a public unicast address git may connect
// to, else an error naming the kind of address.
func checkAddr(a netip.Addr) error {
	a = a.Unmap()
	kind := ""
	switch {
	case !a.IsValid():
		kind = "invalid"
	case a.IsUnspecified():
		kind = "unspecified"
	case a.IsLoopback():
		kind = "loopback"
	case a.IsPrivate():
		kind = "private"
	case a.IsLinkLocalUnicast():
		kind = "link-local (cloud metadata lives here)"
	case a.IsMulticast():
		kind = "multicast"
	case a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		kind = "broadcast"
	}
	for _, b := range blocked {
		if kind == "" && b.prefix.Contains(a) {
			kind = b.what
		}
	}
	if kind != "" {
		return fmt.Errorf("%s is a %s address", a, kind)
	}
	return nil
}
