package gitfetch

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/assayhq/assay/internal/netpolicy"
)

// forwarder carries the loopback-http dev/test path: git talks to it as if
// it were the server, and it relays to the real loopback address through the
// same meter as the https path, so the size cap holds there too.
type forwarder struct {
	l      net.Listener
	target string // host:port on loopback
	dialer *netpolicy.Dialer
	meter  *meter
	wg     sync.WaitGroup
}

func startForwarder(ctx context.Context, opt *Options, m *meter, src *source) (*forwarder, error) {
	host, port := src.url.Hostname(), src.url.Port()
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "80"
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start fetch forwarder: %w", err)
	}
	// The target is a loopback address checkSource accepted with the dev/test
	// switch on: the policy allows loopback here, and nothing else.
	dialer := &netpolicy.Dialer{Policy: netpolicy.Policy{AllowLoopback: opt.AllowLoopbackHTTP}, Dial: opt.Dial}
	f := &forwarder{l: l, target: net.JoinHostPort(host, port), dialer: dialer, meter: m}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		f.serve(ctx)
	}()
	return f, nil
}

// url is the repository URL git is given: the same path on the forwarder.
func (f *forwarder) url(src *source) string {
	return "http://" + f.l.Addr().String() + src.url.EscapedPath()
}

func (f *forwarder) close() {
	f.l.Close()
	f.meter.close()
	f.wg.Wait()
}

func (f *forwarder) serve(ctx context.Context) {
	for {
		c, err := f.l.Accept()
		if err != nil {
			return
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			server, err := f.dialer.DialContext(ctx, "tcp", f.target)
			if err != nil {
				c.Close()
				return
			}
			f.meter.pipe(c, bufio.NewReader(c), server)
		}()
	}
}
