package webhooks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/assayhq/assay/internal/netpolicy"
)

// Resolver looks host names up; *net.Resolver is one, tests pass a stub.
type Resolver = netpolicy.Resolver

// DialFunc connects to an address already checked (ip:port).
type DialFunc = netpolicy.DialFunc

// ClientConfig shapes the delivery client.
type ClientConfig struct {
	// AllowLoopback lets webhooks reach loopback addresses (ASSAY_ALLOW_LOOPBACK).
	AllowLoopback bool
	// Resolver defaults to net.DefaultResolver.
	Resolver Resolver
	// Dial defaults to netpolicy's, whose Control refuses, once more, any
	// address the policy refuses: the check is on the socket's own address.
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

// safeDial resolves the host and dials a checked address (netpolicy): a
// host with a refused address is refused without any connection being made.
func safeDial(cfg ClientConfig) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &netpolicy.Dialer{Policy: netpolicy.Policy{AllowLoopback: cfg.AllowLoopback}, Resolver: cfg.Resolver, Dial: cfg.Dial}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if errors.Is(err, netpolicy.ErrRefused) {
			return nil, fmt.Errorf("%w: %w", ErrRefused, err)
		}
		return c, err
	}
}

// refused reports whether err says the destination was refused by policy.
func refused(err error) bool { return errors.Is(err, ErrRefused) }
