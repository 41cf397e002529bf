package netpolicy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Resolver looks host names up; *net.Resolver is one, tests pass a stub.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DialFunc connects to "ip:port" (an address already checked).
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// dialTimeout bounds one connection attempt of the default dialer.
const dialTimeout = 15 * time.Second

// Dialer resolves a name itself, checks every address it answers with and
// connects to exactly a checked address: nothing resolves the name again, so
// a DNS answer that changes between check and connect (rebinding) leads
// nowhere unchecked.
type Dialer struct {
	Policy   Policy
	Resolver Resolver // default net.DefaultResolver
	// Dial connects to a checked address. The default is a net.Dialer whose
	// Control checks the socket's own address once more; tests pass one that
	// fails on any address they did not expect.
	Dial DialFunc
}

// Resolve returns the addresses of host (an IP literal is its own), every
// one allowed by the policy, IPv4-mapped ones as IPv4. A name answering with
// one refused address is refused whole: a public address next to a private
// one is a rebinding attempt, not a choice to make.
func (d *Dialer) Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := d.Policy.Check(ip); err != nil {
			return nil, err
		}
		return []netip.Addr{ip.Unmap()}, nil
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		// Never asked of a resolver: it is this machine whatever DNS says.
		if !d.Policy.AllowLoopback {
			return nil, &RefusedError{Target: host, Reason: "this machine"}
		}
		return []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()}, nil
	}
	r := d.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolve %s: %w", host, &net.DNSError{Err: "no address", Name: host, IsNotFound: true})
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		if err := d.Policy.Check(a); err != nil {
			var refusal *RefusedError
			if errors.As(err, &refusal) {
				refusal.Host = host
			}
			return nil, err
		}
		out[i] = a.Unmap()
	}
	return out, nil
}

// DialChecked connects to the first of addrs (from Resolve, or pinned from an
// earlier Resolve) that answers on port, checking each once more: the host's
// own addresses may have changed since.
func (d *Dialer) DialChecked(ctx context.Context, network string, addrs []netip.Addr, port uint16) (net.Conn, error) {
	dial := d.Dial
	if dial == nil {
		nd := &net.Dialer{Timeout: dialTimeout, Control: d.control}
		dial = nd.DialContext
	}
	var errs []error
	for _, a := range addrs {
		if err := d.Policy.Check(a); err != nil {
			errs = append(errs, err)
			continue
		}
		c, err := dial(ctx, network, netip.AddrPortFrom(a.Unmap(), port).String())
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, errors.New("no address to dial")
	}
	return nil, errors.Join(errs...)
}

// DialContext connects to address ("host:port"); it fits
// http.Transport.DialContext.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("dial %s: bad port: %w", address, err)
	}
	addrs, err := d.Resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	return d.DialChecked(ctx, network, addrs, uint16(port))
}

// control is the last word of the default dialer: the address the socket is
// about to connect to, whatever produced it.
func (d *Dialer) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Target: address, Reason: "not an address"}
	}
	return d.Policy.Check(ap.Addr())
}
