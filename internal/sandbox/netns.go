package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// netnsDir is where network namespaces are pinned (the same place as `ip netns`, so an
// operator can inspect a box with `ip netns exec assay-<name> ss -ltn`).
const netnsDir = "/run/netns"

// netNS is a box's network namespace: loopback only, no route anywhere else. It is pinned
// by a bind mount so it outlives the threads that enter it.
type netNS struct {
	path string
}

// newNetNS creates a network namespace named name with the loopback interface up.
func newNetNS(name string) (*netNS, error) {
	if err := os.MkdirAll(netnsDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", netnsDir, err)
	}
	path := filepath.Join(netnsDir, name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0o444)
	if err != nil {
		return nil, fmt.Errorf("network namespace %s: %w", name, err)
	}
	f.Close()
	n := &netNS{path: path}
	err = onLockedThread(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("unshare network namespace: %w", err)
		}
		self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
		if err := unix.Mount(self, path, "none", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("pin network namespace: %w", err)
		}
		return loopbackUp()
	})
	if err != nil {
		n.remove()
		return nil, err
	}
	return n, nil
}

// originalNetNS is the worker's own network namespace, taken while the package is
// initialised (on the main thread, before any of it could enter a box).
var originalNetNS = ownNamespace("net")

// ownNamespace opens the calling thread's namespace of a kind ("net", "mnt"), or
// gives -1.
func ownNamespace(kind string) int {
	fd, err := unix.Open("/proc/thread-self/ns/"+kind, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	return fd
}

// onLockedThread runs fn on an OS thread locked to it, so a namespace fn enters never leaks
// into the worker's other goroutines.
func onLockedThread(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		errc <- fn()
		leaveNetNS()
	}()
	return <-errc
}

// goOffMainThread runs fn in a new goroutine locked to an OS thread that is not the
// process's main thread. fn may leave its thread changed for good (it then keeps it
// locked, and the runtime discards the thread when the goroutine ends); the main
// thread cannot be discarded, and /proc/self shows its namespaces for the whole
// worker. A goroutine that lands on the main thread keeps it locked while another
// thread runs fn.
func goOffMainThread(fn func()) {
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() != unix.Getpid() {
			fn()
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtime.LockOSThread()
			fn()
		}()
		<-done
		runtime.UnlockOSThread()
	}()
}

// leaveNetNS puts the calling locked thread back into the worker's namespace and
// unlocks it. When that fails the thread stays locked, and the runtime discards it when
// the goroutine exits. (The main thread cannot be discarded, only parked: restoring is
// what keeps it, and /proc/self/net, in the worker's namespace.)
func leaveNetNS() {
	if restoreNetNS() {
		runtime.UnlockOSThread()
	}
}

// restoreNetNS puts the calling thread back into the worker's network namespace,
// leaving it locked (for a thread that must not be reused), and reports success.
func restoreNetNS() bool {
	return originalNetNS >= 0 && unix.Setns(originalNetNS, unix.CLONE_NEWNET) == nil
}

// enter runs fn on a locked thread inside the namespace. Sockets fn creates belong to
// the namespace for good; ordinary goroutines may use them afterwards.
func (n *netNS) enter(fn func() error) error {
	return onLockedThread(func() error {
		if err := setnsNet(n.path); err != nil {
			return err
		}
		return fn()
	})
}

func (n *netNS) listen(addr string) (net.Listener, error) {
	var l net.Listener
	err := n.enter(func() (err error) {
		l, err = net.Listen("tcp", addr)
		return err
	})
	return l, err
}

func (n *netNS) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := n.enter(func() (err error) {
		var d net.Dialer
		c, err = d.DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

// listeningPorts reads the namespace's own TCP tables (/proc/thread-self/net follows the
// reading thread's namespace), so it works even when no process of the box runs.
func (n *netNS) listeningPorts() ([]int, error) {
	var ports []int
	err := n.enter(func() error {
		socks, err := listeningInTables(fmt.Sprintf("/proc/self/task/%d/net", unix.Gettid()))
		ports = sortedPorts(socks)
		return err
	})
	return ports, err
}

// remove unpins the namespace; the kernel frees it once no process or socket uses it.
func (n *netNS) remove() error {
	return removeNetNS(n.path)
}

func removeNetNS(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unpin network namespace %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("remove network namespace %s: %w", path, err)
	}
	return nil
}

// loopbackUp brings up lo in the calling thread's network namespace; the kernel then
// gives it 127.0.0.1/8 and ::1.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bring up loopback: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("bring up loopback: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up loopback: get flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up loopback: set flags: %w", err)
	}
	return nil
}
