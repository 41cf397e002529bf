package netpolicy

import (
	"errors"
	"net/netip"
	"testing"
)

// FuzzCheck: any address either passes or is refused with a reason, and an
// IPv4 address refused is refused in every IPv6 form that embeds it
// (IPv4-mapped, IPv4-compatible, NAT64, 6to4), whatever the other bits.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "10.0.0.1", "169.254.169.254", "8.8.8.8", "::1", "::ffff:10.1.2.3",
		"64:ff9b::7f00:1", "2002:a9fe:a9fe::", "2001::1", "fe80::1%eth0", "2606:4700::6810:23", "0.0.0.0", "255.255.255.255"} {
		f.Add(s, uint64(0))
	}
	f.Add("\x7f\x00\x00\x01", uint64(0xdeadbeef))
	f.Fuzz(func(t *testing.T, s string, rest uint64) {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			var ok bool
			if ip, ok = netip.AddrFromSlice([]byte(s)); !ok {
				return
			}
		}
		verdict := Check(ip)
		var refusal *RefusedError
		if verdict != nil && (!errors.As(verdict, &refusal) || refusal.Reason == "" || !errors.Is(verdict, ErrRefused)) {
			t.Fatalf("%s: %#v is not a refusal with a reason", ip, verdict)
		}
		if !ip.Unmap().Is4() {
			return
		}
		v4 := ip.Unmap().As4()
		if (Check(netip.AddrFrom4(v4)) == nil) != (Check(netip.AddrFrom16(mapped(v4))) == nil) {
			t.Fatalf("%s: the IPv4-mapped form has another verdict", ip)
		}
		if Check(netip.AddrFrom4(v4)) == nil {
			return
		}
		// The fuzzed tail, and one that reads as a public address wherever
		// an embedding could wrongly be looked for.
		for _, tail := range []uint64{rest, 0x0808080808080808} {
			for name, form := range map[string][16]byte{
				"mapped":     mapped(v4),
				"compatible": embed([16]byte{}, 12, v4),
				"NAT64":      embed([16]byte{0, 0x64, 0xff, 0x9b}, 12, v4),
				"6to4":       embed(withTail([16]byte{0x20, 0x02}, 6, tail), 2, v4),
			} {
				if a := netip.AddrFrom16(form); Check(a) == nil {
					t.Fatalf("%s is refused but its %s form %s is allowed", netip.AddrFrom4(v4), name, a)
				}
			}
		}
	})
}

func mapped(v4 [4]byte) [16]byte {
	return embed([16]byte{10: 0xff, 11: 0xff}, 12, v4)
}

func embed(b [16]byte, at int, v4 [4]byte) [16]byte {
	copy(b[at:], v4[:])
	return b
}

// withTail fills b from index at with the bits of rest (the parts of an
// address the embedding does not fix).
func withTail(b [16]byte, at int, rest uint64) [16]byte {
	for i := at; i < 16; i++ {
		b[i] = byte(rest >> (8 * (i % 8)))
	}
	return b
}
