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
	err = onNewThread(func() error {
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

// onNewThread runs fn on an OS thread of its own that is thrown away afterwards, so a
// namespace fn enters never leaks into the goroutines of the worker.
func onNewThread(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: a goroutine that exits locked takes its thread with it.
		errc <- fn()
	}()
	return <-errc
}

// enter runs fn on a thread of its own inside the namespace. Sockets fn creates belong to
// the namespace for good; ordinary goroutines may use them afterwards.
func (n *netNS) enter(fn func() error) error {
	return onNewThread(func() error {
		fd, err := unix.Open(n.path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open network namespace: %w", err)
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("enter network namespace: %w", err)
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
