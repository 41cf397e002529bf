package sandbox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assayhq/assay/internal/netpolicy"
)

// The egress proxy is how a build reaches package registries: an HTTP CONNECT proxy
// listening inside the box's network namespace (the only way out of it), tunnelling to
// the allow-listed hosts on port 443 and nothing else. It resolves an allowed name itself,
// checks every address with netpolicy and dials exactly a checked one, so neither a
// poisoned DNS answer nor a rebinding one reaches the worker's loopback, the host's own
// addresses, the platform's services, private networks or cloud metadata.

const (
	maxTunnels       = 64   // open at once; npm uses about 16
	maxTunnelRecords = 2000 // kept for the Result; later ones are counted, not kept
	dialTimeout      = 15 * time.Second
	headerTimeout    = 10 * time.Second
)

type egressProxy struct {
	l        net.Listener
	allowed  map[string]bool
	resolver Resolver
	dial     func(ctx context.Context, network, addr string) (net.Conn, error)
	ctx      context.Context
	cancel   context.CancelFunc
	slots    chan struct{}
	wg       sync.WaitGroup

	mu      sync.Mutex
	records []*tunnelRecord
	dropped int
	fault   string
	conns   map[net.Conn]struct{}
}

type tunnelRecord struct {
	Tunnel
	in, out atomic.Int64
}

// startEgressProxy listens inside the box and serves until close.
func (b *Box) startEgressProxy() (*egressProxy, error) {
	l, err := b.ns.listen("127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sandbox: box %s: egress proxy: %w", b.name, err)
	}
	p := newEgressProxy(l, b.m.egress, b.m.cfg.Resolver, b.m.cfg.Dial)
	go p.serve()
	return p, nil
}

func newEgressProxy(l net.Listener, allowed map[string]bool, r Resolver, dial func(context.Context, string, string) (net.Conn, error)) *egressProxy {
	ctx, cancel := context.WithCancel(context.Background())
	return &egressProxy{l: l, allowed: allowed, resolver: r, dial: dial,
		ctx: ctx, cancel: cancel, slots: make(chan struct{}, maxTunnels), conns: map[net.Conn]struct{}{}}
}

// proxyEnv is what makes npm, Go, pip (and curl, git) use the proxy. Go reads
// HTTPS_PROXY; npm has its own variables; pip and most tools read the lower-case ones.
func proxyEnv(p *egressProxy) map[string]string {
	if p == nil {
		return nil
	}
	u := "http://" + p.l.Addr().String()
	return map[string]string{
		"HTTPS_PROXY": u, "HTTP_PROXY": u, "https_proxy": u, "http_proxy": u,
		"npm_config_https_proxy": u, "npm_config_proxy": u,
		"PIP_PROXY": u,
		"NO_PROXY":  "", "no_proxy": "",
	}
}

func (p *egressProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			c.Close()
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.untrack(c)
			p.handle(c)
		}()
	}
}

func (p *egressProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *egressProxy) untrack(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// close stops the proxy and cuts every open tunnel.
func (p *egressProxy) close() {
	p.l.Close()
	p.cancel()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *egressProxy) record(t *tunnelRecord) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.records) >= maxTunnelRecords {
		p.dropped++
		return
	}
	p.records = append(p.records, t)
}

func (p *egressProxy) setFault(msg string) {
	p.mu.Lock()
	if p.fault == "" {
		p.fault = msg
	}
	p.mu.Unlock()
}

// tunnels returns every tunnel opened or refused, with the bytes moved.
func (p *egressProxy) tunnels() []Tunnel {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Tunnel, 0, len(p.records)+1)
	for _, r := range p.records {
		t := r.Tunnel
		t.BytesIn, t.BytesOut = r.in.Load(), r.out.Load()
		out = append(out, t)
	}
	if p.dropped > 0 {
		out = append(out, Tunnel{Refused: fmt.Sprintf("%d more tunnel requests not recorded", p.dropped)})
	}
	return out
}

func (p *egressProxy) platformFault() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fault
}

// handle serves one client connection: one CONNECT, then the tunnel.
func (p *egressProxy) handle(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(headerTimeout))
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	c.SetReadDeadline(time.Time{})
	t := &tunnelRecord{}
	p.record(t)
	if req.Method != http.MethodConnect {
		t.Host = req.URL.Hostname()
		t.Refused = "only HTTPS through CONNECT is allowed, not " + req.Method
		refuse(c, http.StatusMethodNotAllowed, t.Refused)
		return
	}
	host, portStr, err := net.SplitHostPort(req.RequestURI)
	if err != nil {
		t.Host = req.RequestURI
		t.Refused = "malformed CONNECT target"
		refuse(c, http.StatusBadRequest, t.Refused)
		return
	}
	t.Host = host
	t.Port, _ = strconv.Atoi(portStr)
	if t.Refused = p.checkTarget(host, t.Port); t.Refused != "" {
		refuse(c, http.StatusForbidden, t.Refused)
		return
	}
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	default:
		t.Refused = fmt.Sprintf("more than %d tunnels open at once", maxTunnels)
		refuse(c, http.StatusTooManyRequests, t.Refused)
		return
	}
	up, err := p.connect(t)
	if err != nil {
		refuse(c, http.StatusBadGateway, err.Error())
		return
	}
	defer up.Close()
	if !p.track(up) {
		return
	}
	defer p.untrack(up)
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	// Bytes the client sent after the request (a TLS ClientHello) are already buffered.
	pending, _ := br.Peek(br.Buffered())
	if len(pending) > 0 {
		n, err := up.Write(pending)
		t.out.Add(int64(n))
		if err != nil {
			return
		}
	}
	done := make(chan struct{}, 2)
	go func() { copyCounting(up, c, &t.out); closeWrite(up); done <- struct{}{} }()
	go func() { copyCounting(c, up, &t.in); closeWrite(c); done <- struct{}{} }()
	<-done
	<-done
}

// checkTarget applies the allow-list by name and port, before any resolution.
func (p *egressProxy) checkTarget(host string, port int) string {
	if port != 443 {
		return fmt.Sprintf("port %d is not allowed (registries are reached on 443)", port)
	}
	if !p.allowed[normalizeHost(host)] {
		return fmt.Sprintf("%s is not an allowed package registry", host)
	}
	return ""
}

// connect resolves an allowed host, checks every address (a name with one refused answer
// is refused whole) and dials a checked one. Any failure here is the platform's: an
// allowed registry could not be reached.
func (p *egressProxy) connect(t *tunnelRecord) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(p.ctx, dialTimeout)
	defer cancel()
	// Registries are names the operator chose: a mirror of theirs may answer
	// from an unrouted (documentation) range; see netpolicy.Policy.AllowUnrouted.
	d := &netpolicy.Dialer{Policy: netpolicy.Policy{AllowUnrouted: true}, Resolver: netipResolver{p.resolver}, Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := p.dial(ctx, network, addr)
		if err == nil {
			t.Addr = addr
		}
		return conn, err
	}}
	addrs, err := d.Resolve(ctx, normalizeHost(t.Host))
	switch {
	case errors.Is(err, netpolicy.ErrRefused):
		t.Refused = err.Error()
		p.setFault(fmt.Sprintf("%s unreachable: %s", t.Host, t.Refused))
		return nil, err
	case err != nil:
		t.Error = err.Error()
		p.setFault(fmt.Sprintf("%s unreachable: %s", t.Host, t.Error))
		return nil, err
	}
	conn, err := d.DialChecked(ctx, "tcp", addrs, uint16(t.Port))
	if err != nil {
		t.Error = "connect: " + err.Error()
		p.setFault(fmt.Sprintf("%s unreachable: %s", t.Host, t.Error))
		return nil, errors.New(t.Error)
	}
	return conn, nil
}

// netipResolver gives the sandbox's Resolver (LookupIPAddr) the form netpolicy asks for.
type netipResolver struct{ Resolver }

func (r netipResolver) LookupNetIP(ctx context.Context, _, host string) ([]netip.Addr, error) {
	ips, err := r.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip.IP); ok {
			out = append(out, a.WithZone(ip.Zone))
		}
	}
	return out, nil
}

// normalizeHost lower-cases a host name and drops a trailing dot, so "Registry.NPMjs.org."
// matches the allow-list entry.
func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

func refuse(c net.Conn, status int, why string) {
	fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s\n",
		status, http.StatusText(status), len(why)+1, why)
}

func copyCounting(dst io.Writer, src io.Reader, n *atomic.Int64) {
	buf := make([]byte, 32*1024)
	for {
		k, err := src.Read(buf)
		if k > 0 {
			w, werr := dst.Write(buf[:k])
			n.Add(int64(w))
			if werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	} else {
		c.Close()
	}
}
