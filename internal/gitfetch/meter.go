package gitfetch

import (
	"bufio"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// meter counts the bytes servers send over all connections of one fetch and
// closes every connection the moment the total passes the cap: the transfer
// stops there, it is not measured afterwards.
type meter struct {
	max  int64
	n    atomic.Int64
	over atomic.Bool

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

func newMeter(max int64) *meter {
	return &meter{max: max, conns: make(map[net.Conn]struct{})}
}

// add registers a connection; false once the meter is closed.
func (m *meter) add(c net.Conn) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.conns[c] = struct{}{}
	return true
}

func (m *meter) remove(c net.Conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.conns, c)
}

// close ends every connection and refuses new ones.
func (m *meter) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	for c := range m.conns {
		c.Close()
	}
}

// count adds n received bytes and reports whether the transfer may go on.
func (m *meter) count(n int) bool {
	if m.n.Add(int64(n)) > m.max {
		m.over.Store(true)
		m.close()
		return false
	}
	return true
}

// pipe joins git's connection to the server's until either ends, counting
// what the server sends. fromGit holds bytes git may already have sent.
func (m *meter) pipe(git net.Conn, fromGit *bufio.Reader, server net.Conn) {
	if !m.add(git) || !m.add(server) {
		git.Close()
		server.Close()
		return
	}
	defer m.remove(git)
	defer m.remove(server)
	done := make(chan struct{})
	go func() {
		io.Copy(server, fromGit)
		server.Close()
		close(done)
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := server.Read(buf)
		if n > 0 && (!m.count(n) || writeAll(git, buf[:n]) != nil) {
			break
		}
		if err != nil {
			break
		}
	}
	git.Close()
	<-done
}

func writeAll(w io.Writer, p []byte) error {
	_, err := w.Write(p)
	return err
}
