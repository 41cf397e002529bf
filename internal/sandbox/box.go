package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// Box is one submission's workspace (the checkout) and, in bwrap mode, its network
// namespace. Phases run in it one after another or side by side (release while web is
// stopped, web in the background while the grader drives it).
type Box struct {
	m    *Manager
	name string
	work string    // StateDir/sandbox/<name>: checkout, scratch files
	dir  string    // work/checkout: Dir()
	lock *os.File  // flock held while the box lives; CleanupLeftovers takes what is unlocked
	ns   *netNS    // nil in unsafe-local mode
	ids  *uidClaim // the host uid and gid the box runs as; nil in unsafe-local mode
	warm string    // the warm cache, fixed for the box's life ("" for none)
	// goCache is the box's overlay over the warm build cache; nil without one.
	goCache *goCacheLayers

	mu        sync.Mutex
	seq       int
	procs     map[*Process]struct{}
	listeners []net.Listener
	closed    bool
}

// insideDir is where the checkout appears inside the sandbox (Heroku's convention).
const insideDir = "/app"

// BoxOption changes how NewBox sets a box up.
type BoxOption func(*boxOptions)

type boxOptions struct{ cold bool }

// WithoutWarmCache gives the box no warm cache: what builds the warm cache starts cold.
func WithoutWarmCache() BoxOption { return func(o *boxOptions) { o.cold = true } }

// NewBox creates an empty workspace and, in bwrap mode, a network namespace with loopback
// only. name must match [a-z0-9-]{1,40} and be unique among live boxes on the host.
func (m *Manager) NewBox(ctx context.Context, name string, opts ...BoxOption) (*Box, error) {
	var o boxOptions
	for _, opt := range opts {
		opt(&o)
	}
	if !boxName.MatchString(name) {
		return nil, fmt.Errorf("sandbox: box name %q must match [a-z0-9-]{1,40}", name)
	}
	b := &Box{m: m, name: name, work: filepath.Join(m.root, name), procs: map[*Process]struct{}{}}
	b.dir = filepath.Join(b.work, "checkout")
	lock, err := acquireLock(m.lockPath(name))
	if err != nil {
		return nil, fmt.Errorf("sandbox: box %s: %w", name, err)
	}
	b.lock = lock
	if err := os.Mkdir(b.work, 0o700); err != nil {
		releaseLock(lock, m.lockPath(name))
		return nil, fmt.Errorf("sandbox: create workspace for box %s: %w", name, err)
	}
	ok := false
	defer func() {
		if !ok {
			b.teardown()
		}
	}()
	if err := os.Mkdir(b.dir, 0o755); err != nil {
		return nil, fmt.Errorf("sandbox: box %s: create checkout: %w", name, err)
	}
	if m.host != nil {
		ids, err := m.claimUID()
		if err != nil {
			return nil, fmt.Errorf("sandbox: box %s: %w", name, err)
		}
		b.ids = ids
		// The workspace is traversable (not listable) so the box's uid reaches its
		// checkout; the checkout belongs to that uid so the build can write to it.
		if err := os.Chmod(b.work, 0o711); err != nil {
			return nil, fmt.Errorf("sandbox: box %s: %w", name, err)
		}
		if err := os.Chown(b.dir, b.uid(), b.gid()); err != nil {
			return nil, fmt.Errorf("sandbox: box %s: give checkout to the sandbox user: %w", name, err)
		}
		if err := b.writeIdentity(); err != nil {
			return nil, fmt.Errorf("sandbox: box %s: %w", name, err)
		}
		if err := b.writeHosts(); err != nil {
			return nil, fmt.Errorf("sandbox: box %s: %w", name, err)
		}
		ns, err := newNetNS(Prefix + name)
		if err != nil {
			return nil, fmt.Errorf("sandbox: box %s: %w", name, err)
		}
		b.ns = ns
		if !o.cold {
			b.warm = m.WarmCache()
		}
		if hasGoBuildCache(b.warm) {
			l, err := b.newGoCacheLayers(filepath.Join(b.warm, WarmGoBuildDir))
			if err != nil {
				return nil, fmt.Errorf("sandbox: box %s: %w", name, err)
			}
			b.goCache = l
		}
	}
	ok = true
	return b, nil
}

// uid and gid are the host ids the box's processes run as and its files belong to.
func (b *Box) uid() int { return b.ids.uid }
func (b *Box) gid() int { return b.ids.uid }

// Owner is the unprivileged host user the box's processes run as and its
// checkout belongs to, for work done on the box's behalf outside it (git
// fetching the candidate's repository); nil in unsafe-local mode, where
// there is no such user.
func (b *Box) Owner() *syscall.Credential {
	if b.ids == nil {
		return nil
	}
	return &syscall.Credential{Uid: uint32(b.uid()), Gid: uint32(b.gid()), Groups: []uint32{}}
}

// Name returns the box's name.
func (b *Box) Name() string { return b.name }

// Dir returns the host path of the checkout directory. It starts empty and the sandbox
// may write to it; inside the sandbox it is the working directory (see InsideDir).
func (b *Box) Dir() string { return b.dir }

// InsideDir returns the checkout's path as commands in the box see it ("/app" in bwrap
// mode, the host path in unsafe-local mode), e.g. to put ".venv/bin" on PATH.
func (b *Box) InsideDir() string {
	if b.ns == nil {
		return b.dir
	}
	return insideDir
}

// Listen opens a TCP listener inside the box's network namespace, so only the box sees
// it. In unsafe-local mode it listens on host 127.0.0.1:0: callers always use l.Addr().
func (b *Box) Listen(addr string) (net.Listener, error) {
	if err := b.alive(); err != nil {
		return nil, err
	}
	var l net.Listener
	var err error
	if b.ns == nil {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	} else {
		l, err = b.ns.listen(addr)
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: box %s: listen on %s: %w", b.name, addr, err)
	}
	b.mu.Lock()
	b.listeners = append(b.listeners, l)
	b.mu.Unlock()
	return l, nil
}

// DialContext connects from inside the box's network namespace (the grader reaching the
// service's $PORT). In unsafe-local mode it dials on the host.
func (b *Box) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if err := b.alive(); err != nil {
		return nil, err
	}
	if b.ns == nil {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	return b.ns.dial(ctx, network, addr)
}

// ListeningPorts returns the TCP ports listening inside the box, sorted, without the
// listeners the platform opened (Listen, the egress proxy) (to tell "listened on 3000 instead of $PORT").
// In unsafe-local mode it reports the ports of the box's processes.
func (b *Box) ListeningPorts() ([]int, error) {
	if err := b.alive(); err != nil {
		return nil, err
	}
	own := map[int]bool{}
	b.mu.Lock()
	for _, l := range b.listeners {
		if a, ok := l.Addr().(*net.TCPAddr); ok {
			own[a.Port] = true
		}
	}
	var pids []int
	for p := range b.procs {
		if p.proxy != nil { // the build's egress proxy is ours too
			own[p.proxy.l.Addr().(*net.TCPAddr).Port] = true
		}
		pids = append(pids, p.pids()...)
	}
	b.mu.Unlock()
	var ports []int
	var err error
	if b.ns == nil {
		ports, err = listeningPortsOfPids(pids)
	} else {
		ports, err = b.ns.listeningPorts()
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: box %s: listening ports: %w", b.name, err)
	}
	out := ports[:0]
	for _, p := range ports {
		if !own[p] {
			out = append(out, p)
		}
	}
	return out, nil
}

func (b *Box) alive() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return fmt.Errorf("sandbox: box %s is closed", b.name)
	}
	return nil
}

// Close stops every process of the box and removes its listeners, network namespace and
// workspace. It is safe to call more than once.
func (b *Box) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	procs := make([]*Process, 0, len(b.procs))
	for p := range b.procs {
		procs = append(procs, p)
	}
	b.mu.Unlock()
	for _, p := range procs {
		p.Stop()
	}
	return b.teardown()
}

// teardown removes what NewBox created, in reverse order.
func (b *Box) teardown() error {
	var errs []error
	b.mu.Lock()
	for _, l := range b.listeners {
		l.Close()
	}
	b.listeners = nil
	b.mu.Unlock()
	if b.ns != nil {
		if err := b.ns.remove(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := removeWorkspace(b.work); err != nil {
		errs = append(errs, err)
	}
	b.ids.release()
	releaseLock(b.lock, b.m.lockPath(b.name)) // last, so CleanupLeftovers never races us
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sandbox: close box %s: %w", b.name, err)
	}
	return nil
}

// removeWorkspace deletes a workspace. (As root, modes a build set on its directories do
// not stand in the way; in unsafe-local mode a failure is reported.)
func removeWorkspace(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove workspace %s: %w", dir, err)
	}
	return nil
}
