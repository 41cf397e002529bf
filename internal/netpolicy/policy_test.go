package netpolicy

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// withOwnAddrs makes the host's addresses those listed for the test.
func withOwnAddrs(t *testing.T, cidrs ...string) *[]string {
	t.Helper()
	list := &cidrs
	saved := own
	own = &hostAddrs{lookup: func() ([]net.Addr, error) {
		var out []net.Addr
		for _, c := range *list {
			ip, n, err := net.ParseCIDR(c)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, &net.IPNet{IP: ip, Mask: n.Mask})
		}
		return out, nil
	}}
	t.Cleanup(func() { own = saved })
	return list
}

// TestCheckTable: every refused range, with the addresses on both sides of
// each of its boundaries. want is a piece of the reason, "" for allowed.
func TestCheckTable(t *testing.T) {
	withOwnAddrs(t, "127.0.0.1/8", "8.8.4.4/32", "2606:4700::1/64")
	for _, c := range []struct{ addr, want string }{
		// 0.0.0.0/8, unspecified
		{"0.0.0.0", "the unspecified address"}, {"0.0.0.1", "\"this network\""}, {"0.255.255.255", "\"this network\""}, {"1.0.0.0", ""},
		// 10/8
		{"9.255.255.255", ""}, {"10.0.0.0", "private"}, {"10.255.255.255", "private"}, {"11.0.0.0", ""},
		// 100.64/10 CGNAT
		{"100.63.255.255", ""}, {"100.64.0.0", "carrier-grade NAT"}, {"100.127.255.255", "carrier-grade NAT"}, {"100.128.0.0", ""},
		// 127/8
		{"126.255.255.255", ""}, {"127.0.0.0", "loopback"}, {"127.255.255.255", "loopback"}, {"128.0.0.0", ""},
		// 169.254/16
		{"169.253.255.255", ""}, {"169.254.0.0", "link-local"}, {"169.254.169.254", "cloud metadata"}, {"169.254.255.255", "link-local"}, {"169.255.0.0", ""},
		// 172.16/12
		{"172.15.255.255", ""}, {"172.16.0.0", "private"}, {"172.31.255.255", "private"}, {"172.32.0.0", ""},
		// 192.0.0/24, 192.0.2/24
		{"191.255.255.255", ""}, {"192.0.0.0", "IETF protocol assignment"}, {"192.0.0.255", "IETF protocol assignment"}, {"192.0.1.0", ""},
		{"192.0.1.255", ""}, {"192.0.2.0", "documentation"}, {"192.0.2.255", "documentation"}, {"192.0.3.0", ""},
		// 192.168/16
		{"192.167.255.255", ""}, {"192.168.0.0", "private"}, {"192.168.255.255", "private"}, {"192.169.0.0", ""},
		// 198.18/15
		{"198.17.255.255", ""}, {"198.18.0.0", "benchmarking"}, {"198.19.255.255", "benchmarking"}, {"198.20.0.0", ""},
		// 198.51.100/24, 203.0.113/24
		{"198.51.99.255", ""}, {"198.51.100.0", "documentation"}, {"198.51.100.255", "documentation"}, {"198.51.101.0", ""},
		{"203.0.112.255", ""}, {"203.0.113.0", "documentation"}, {"203.0.113.255", "documentation"}, {"203.0.114.0", ""},
		// 224/4, 240/4, broadcast
		{"223.255.255.255", ""}, {"224.0.0.0", "multicast"}, {"239.255.255.255", "multicast"},
		{"240.0.0.0", "reserved"}, {"255.255.255.254", "reserved"}, {"255.255.255.255", "broadcast"},
		// public, and the host's own
		{"8.8.8.8", ""}, {"140.82.121.3", ""}, {"8.8.4.4", "an address of this host"},

		// IPv4-mapped: the IPv4 verdict
		{"::ffff:127.0.0.1", "loopback"}, {"::ffff:10.0.0.1", "private"}, {"::ffff:169.254.169.254", "link-local"},
		{"::ffff:8.8.4.4", "this host"}, {"::ffff:8.8.8.8", ""},
		// ::, ::1, IPv4-compatible ::/96
		{"::", "the unspecified address"}, {"::1", "loopback"}, {"::2", "IPv4-compatible address embedding 0.0.0.2"},
		{"::7f00:1", "embedding 127.0.0.1, a loopback"}, {"::808:808", "IPv4-compatible"}, {"::ffff:ffff", "IPv4-compatible"}, {"::1:0:0", "reserved IPv6"},
		// NAT64 well-known prefix: the IPv4 verdict; local-use: refused
		{"64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", "reserved IPv6"}, {"64:ff9b::", "NAT64 address embedding 0.0.0.0"},
		{"64:ff9b::7f00:1", "NAT64 address embedding 127.0.0.1, a loopback"}, {"64:ff9b::a00:1", "embedding 10.0.0.1, a private"},
		{"64:ff9b::a9fe:a9fe", "embedding 169.254.169.254"}, {"64:ff9b::808:404", "embedding 8.8.4.4, an address of this host"},
		{"64:ff9b::808:808", ""}, {"64:ff9b::ffff:ffff", "broadcast"}, {"64:ff9b::1:0:0", "reserved IPv6"},
		{"64:ff9b:1::", "local-use NAT64"}, {"64:ff9b:1::808:808", "local-use NAT64"}, {"64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "local-use NAT64"}, {"64:ff9b:2::", "reserved IPv6"},
		// discard-only 100::/64
		{"ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved IPv6"}, {"100::", "discard-only"}, {"100::ffff:ffff:ffff:ffff", "discard-only"}, {"100:0:0:1::", "reserved IPv6"},
		// 2000::/3 and the special ranges inside it
		{"1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved IPv6"}, {"2000::", ""},
		{"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ""}, {"2001::", "Teredo"}, {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"},
		{"2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "Teredo"}, {"2001:1::", ""},
		{"2001:1:ffff:ffff:ffff:ffff:ffff:ffff", ""}, {"2001:2::", "benchmarking"}, {"2001:2:0:ffff:ffff:ffff:ffff:ffff", "benchmarking"}, {"2001:2:1::", ""},
		{"2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", ""}, {"2001:20::", "ORCHID"}, {"2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", "ORCHID"}, {"2001:30::", ""},
		{"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", ""}, {"2001:db8::", "documentation"}, {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "documentation"}, {"2001:db9::", ""},
		{"2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ""}, {"2002::", "6to4 address embedding 0.0.0.0"}, {"2002:7f00:1::", "6to4 address embedding 127.0.0.1, a loopback"},
		{"2002:a9fe:a9fe::1", "embedding 169.254.169.254"}, {"2002:808:808::", "a 6to4 address"}, {"2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "6to4 address embedding 255.255.255.255"}, {"2003::", ""},
		{"3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ""}, {"3fff::", "documentation"}, {"3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", "documentation"}, {"3fff:1000::", ""},
		{"3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ""}, {"4000::", "reserved IPv6"},
		{"2606:4700::6810:23", ""}, {"2a00:1450:4001:82a::200e", ""}, {"2606:4700::1", "this host"},
		// ULA, link-local, site-local, multicast
		{"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved IPv6"}, {"fc00::", "unique local"}, {"fd00:ec2::254", "unique local"}, {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local"},
		{"fe00::", "reserved IPv6"}, {"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved IPv6"}, {"fe80::", "link-local"}, {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local"},
		{"fec0::", "site-local"}, {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "site-local"}, {"ff00::", "multicast"}, {"ff02::1", "multicast"}, {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast"},
		{"fe80::1%eth0", "zone"}, {"2606:4700::6810:23%eth0", "zone"},
	} {
		err := Check(netip.MustParseAddr(c.addr))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s refused: %v", c.addr, err)
		case c.want != "" && err == nil:
			t.Errorf("%s allowed, want refused as %q", c.addr, c.want)
		case c.want != "" && (!strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrRefused)):
			t.Errorf("%s: %v, want a refusal saying %q", c.addr, err, c.want)
		}
	}
	if err := Check(netip.Addr{}); !errors.Is(err, ErrRefused) {
		t.Errorf("the zero address: %v", err)
	}
}

// TestEveryRangeIsRefused: each row of the table refuses the addresses at
// its edges, and gives its own reason for at least one of them (a row
// shadowed by a wider one placed before it would not).
func TestEveryRangeIsRefused(t *testing.T) {
	withOwnAddrs(t)
	for _, r := range refused {
		if r.asEmbedded {
			continue // judged by the embedded address: TestCheckTable covers both verdicts
		}
		first, last := r.prefix.Addr(), lastAddr(r.prefix)
		ownReason := false
		for _, a := range []netip.Addr{first, first.Next(), last.Prev(), last} {
			if !r.prefix.Contains(a) {
				continue
			}
			err := Check(a)
			if err == nil {
				t.Errorf("%s (in %s) allowed", a, r.prefix)
				continue
			}
			ownReason = ownReason || strings.Contains(err.Error(), r.what)
		}
		if !ownReason {
			t.Errorf("%s: no edge address refused as %q", r.prefix, r.what)
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestAllowLoopbackOnlyAllowsLoopback(t *testing.T) {
	dev := Policy{AllowLoopback: true}
	for _, a := range []string{"127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"} {
		if err := dev.Check(netip.MustParseAddr(a)); err != nil {
			t.Errorf("%s refused with AllowLoopback: %v", a, err)
		}
		if Check(netip.MustParseAddr(a)) == nil {
			t.Errorf("%s allowed without AllowLoopback", a)
		}
	}
	// A NAT64 or 6to4 form of 127.0.0.1 goes to a translator, not to this machine.
	for _, a := range []string{"10.0.0.1", "169.254.169.254", "0.0.0.0", "64:ff9b::7f00:1", "2002:7f00:1::", "::7f00:1"} {
		if dev.Check(netip.MustParseAddr(a)) == nil {
			t.Errorf("%s allowed with AllowLoopback", a)
		}
	}
}

// TestAllowUnroutedOnlyAllowsUnroutedRanges: the egress proxy's registries
// may answer from documentation and benchmarking ranges, never from anything
// that reaches inside a host or a private network, nor from the host's own
// address when that is in a documentation range.
func TestAllowUnroutedOnlyAllowsUnroutedRanges(t *testing.T) {
	withOwnAddrs(t, "192.0.2.2/24")
	egress := Policy{AllowUnrouted: true}
	for _, a := range []string{"203.0.113.80", "198.51.100.7", "198.18.0.1", "2001:db8::1", "3fff::1"} {
		if err := egress.Check(netip.MustParseAddr(a)); err != nil {
			t.Errorf("%s refused with AllowUnrouted: %v", a, err)
		}
		if Check(netip.MustParseAddr(a)) == nil {
			t.Errorf("%s allowed without AllowUnrouted", a)
		}
	}
	for _, a := range []string{"192.0.2.2", "127.0.0.1", "10.0.0.1", "169.254.169.254", "100.64.0.1", "::1", "fc00::1",
		"64:ff9b::7f00:1", "2002:cb00:7150::", "2001::1", "0.0.0.0"} {
		if egress.Check(netip.MustParseAddr(a)) == nil {
			t.Errorf("%s allowed with AllowUnrouted", a)
		}
	}
}

// TestOwnAddressesAreRefreshed: an address the host gains is refused once
// the list is read again, and one it lost is allowed.
func TestOwnAddressesAreRefreshed(t *testing.T) {
	list := withOwnAddrs(t, "8.8.4.4/32")
	if Check(netip.MustParseAddr("8.8.4.4")) == nil {
		t.Fatal("own address allowed")
	}
	*list = []string{"9.9.9.9/32"}
	own.mu.Lock()
	own.fetched = time.Now().Add(-2 * ownTTL)
	own.mu.Unlock()
	if Check(netip.MustParseAddr("9.9.9.9")) == nil {
		t.Error("address gained by the host allowed after refresh")
	}
	if err := Check(netip.MustParseAddr("8.8.4.4")); err != nil {
		t.Errorf("address the host lost still refused: %v", err)
	}
}

// TestRealInterfaceAddressesAreRefused: whatever this machine's addresses
// are, none may be dialled.
func TestRealInterfaceAddressesAreRefused(t *testing.T) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		// The policy refuses the host's own addresses by reading them: a host
		// where they cannot be read is one where that protection is off.
		t.Fatalf("read this host's addresses: %v", err)
	}
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a.String())
		if err != nil {
			continue
		}
		if Check(p.Addr()) == nil {
			t.Errorf("interface address %s allowed", p.Addr())
		}
	}
}
