package gitfetch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/assayhq/assay/internal/netpolicy"
)

// connectProxy is the only way git reaches the network on the https path
// (git runs with http.proxy pointing here). It tunnels to the repository's
// host alone, on port 443, to the addresses netpolicy checked before git
// started: git never resolves a name itself, so a DNS answer that changes
// between check and connect (rebinding) cannot lead it anywhere unchecked,
// and a redirect to another host (which git follows on the first request)
// is refused here, where every connection git makes is seen.
//
// It needs no password: it only ever tunnels to public addresses on port
// 443, which any local process could reach anyway.
type connectProxy struct {
	l      net.Listener
	dialer *netpolicy.Dialer
	meter  *meter
	host   string       // the repository URL's host, lower-case
	addrs  []netip.Addr // its checked addresses

	mu      sync.Mutex
	refusal error // the first refusal, reported instead of git's vaguer message
	wg      sync.WaitGroup
}

// requestTimeout bounds how long git may take to send its CONNECT line.
const requestTimeout = 30 * time.Second

func startConnectProxy(ctx context.Context, opt *Options, m *meter, src *source) (*connectProxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start fetch proxy: %w", err)
	}
	p := &connectProxy{l: l, dialer: opt.dialer(), meter: m,
		host: strings.ToLower(src.url.Hostname()), addrs: src.addrs}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.serve(ctx)
	}()
	return p, nil
}

func (p *connectProxy) url() string { return "http://" + p.l.Addr().String() }

// close stops accepting and waits for the tunnels, which the meter ends.
func (p *connectProxy) close() {
	p.l.Close()
	p.meter.close()
	p.wg.Wait()
}

func (p *connectProxy) refused() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refusal
}

func (p *connectProxy) serve(ctx context.Context) {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(ctx, c)
		}()
	}
}

func (p *connectProxy) handle(ctx context.Context, c net.Conn) {
	c.SetReadDeadline(time.Now().Add(requestTimeout))
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		c.Close()
		return
	}
	if req.Method != http.MethodConnect {
		reply(c, "405 Method Not Allowed")
		return
	}
	server, err := p.dial(ctx, req.Host)
	if err != nil {
		p.mu.Lock()
		if p.refusal == nil && errors.Is(err, ErrRefused) {
			p.refusal = err
		}
		p.mu.Unlock()
		reply(c, "403 Forbidden")
		return
	}
	c.SetReadDeadline(time.Time{})
	if _, err := c.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		c.Close()
		server.Close()
		return
	}
	p.meter.pipe(c, br, server)
}

func reply(c net.Conn, status string) {
	c.Write([]byte("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
	c.Close()
}

// dial connects to a checked address of hostport, which must be the
// repository's host on port 443.
func (p *connectProxy) dial(ctx context.Context, hostport string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, refused("bad CONNECT target %q", hostport)
	}
	if port != "443" {
		return nil, refused("port %s: only https on port 443 is reachable", port)
	}
	if host = strings.ToLower(host); host != p.host {
		return nil, refused("redirect to %s: git may connect only to the repository's host %s", host, p.host)
	}
	c, err := p.dialer.DialChecked(ctx, "tcp", p.addrs, 443)
	switch {
	case errors.Is(err, netpolicy.ErrRefused): // the host's own addresses changed
		return nil, refused("%s: %v", host, err)
	case err != nil:
		return nil, fmt.Errorf("connect to %s: %w", host, err)
	}
	return c, nil
}
