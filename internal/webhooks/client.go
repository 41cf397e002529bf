package webhooks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// Resolver looks host names up; *net.Resolver is one, tests pass a stub.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DialFunc connects to an address already checked (ip:port).
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// ClientConfig shapes the delivery client.
type ClientConfig struct {
	// AllowLoopback lets webhooks reach loopback addresses (ASSAY_ALLOW_LOOPBACK).
	AllowLoopback bool
	// Resolver defaults to net.DefaultResolver.
	Resolver Resolver
	// Dial defaults to a net.Dialer whose Control refuses, once more, any
	// address AllowedAddr refuses: the check is on the socket's own address.
	Dial DialFunc
	// TLS defaults to the system roots.
	TLS *tls.Config
	// Timeout bounds one attempt; default 10 s.
	Timeout time.Duration
}

// NewClient makes the HTTP client deliveries go through: it resolves the
// host itself, connects only to allowed addresses, never uses a proxy from
// the environment (that would connect on our behalf unchecked) and does not
// follow redirects (a 3xx is a failed attempt).
func NewClient(cfg ClientConfig) *http.Client {
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.Dial == nil {
		d := &net.Dialer{Timeout: 5 * time.Second, Control: controlFunc(cfg.AllowLoopback)}
		cfg.Dial = d.DialContext
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           safeDial(cfg),
		TLSClientConfig:       cfg.TLS,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// safeDial resolves the host, drops every address that is not allowed and
// dials the rest in turn. A host with no allowed address is refused without
// any connection being made.
func safeDial(cfg ClientConfig) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, err)
		}
		portNum, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("dial %s: bad port: %w", addr, err)
		}
		var ips []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			ips = []netip.Addr{ip}
		} else if ips, err = cfg.Resolver.LookupNetIP(ctx, "ip", host); err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		var lastErr error
		for _, ip := range ips {
			if !AllowedAddr(ip, cfg.AllowLoopback) {
				lastErr = fmt.Errorf("%w: %s resolves to %s, which is not a public address", ErrRefused, host, ip)
				continue
			}
			conn, err := cfg.Dial(ctx, network, netip.AddrPortFrom(ip.Unmap(), uint16(portNum)).String())
			if err == nil {
				return conn, nil
			}
			lastErr = err
		}
		if lastErr == nil {
			lastErr = fmt.Errorf("resolve %s: no addresses", host)
		}
		return nil, lastErr
	}
}

// controlFunc refuses a socket about to connect to an address that is not
// allowed: the last word, whatever resolved the name.
func controlFunc(allowLoopback bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot parse %q", ErrRefused, address)
		}
		if !AllowedAddr(ap.Addr(), allowLoopback) {
			return fmt.Errorf("%w: %s is not a public address", ErrRefused, ap.Addr())
		}
		return nil
	}
}

// refused reports whether err says the destination was refused by policy.
func refused(err error) bool { return errors.Is(err, ErrRefused) }
