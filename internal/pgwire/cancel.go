package pgwire

import (
	"context"
	"time"
)

// A CancelRequest carries the process id and secret key that the server
// handed out in BackendKeyData. Only keys seen on sessions of this proxy are
// forwarded, so a service cannot cancel queries of other clients of the
// server (the grader's own, or another submission's).

func (p *Proxy) addKey(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys == nil {
		p.keys = make(map[string]int)
	}
	p.keys[key]++
}

func (p *Proxy) removeKey(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys[key]--; p.keys[key] <= 0 {
		delete(p.keys, key)
	}
}

func (p *Proxy) knownKey(key string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.keys[key] > 0
}

// cancel forwards a CancelRequest packet for a session of this proxy and
// drops any other.
func (p *Proxy) cancel(pkt []byte) {
	if !p.knownKey(string(pkt[8:])) {
		p.refuse("cancel request for a session not opened through this proxy dropped")
		return
	}
	ctx, stop := context.WithTimeout(context.Background(), startupTimeout)
	defer stop()
	server, err := p.dial(ctx)
	if err != nil {
		return
	}
	defer server.Close()
	server.SetDeadline(time.Now().Add(startupTimeout))
	server.Write(pkt)
	// The server closes the connection once it has read the request.
	server.Read(make([]byte, 1))
}
