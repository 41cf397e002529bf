package sandbox

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// tcpListenState is TCP_LISTEN as /proc/net/tcp writes it.
const tcpListenState = "0A"

// listeningSockets parses a /proc/net/tcp or tcp6 table and returns the socket inode and
// local port of every listening socket.
func listeningSockets(r io.Reader) (map[uint64]int, error) {
	out := map[uint64]int{}
	sc := bufio.NewScanner(r)
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != tcpListenState {
			continue
		}
		i := strings.LastIndexByte(f[1], ':')
		if i < 0 {
			return nil, fmt.Errorf("malformed local address %q", f[1])
		}
		port, err := strconv.ParseUint(f[1][i+1:], 16, 16)
		if err != nil {
			return nil, fmt.Errorf("malformed port in %q: %w", f[1], err)
		}
		inode, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("malformed inode %q: %w", f[9], err)
		}
		out[inode] = int(port)
	}
	return out, sc.Err()
}

// listeningInTables reads the tcp and tcp6 tables under a /proc/.../net directory.
func listeningInTables(netDir string) (map[uint64]int, error) {
	all := map[uint64]int{}
	for _, t := range []string{"tcp", "tcp6"} {
		f, err := os.Open(netDir + "/" + t)
		if os.IsNotExist(err) {
			continue // no IPv6
		}
		if err != nil {
			return nil, err
		}
		socks, err := listeningSockets(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s/%s: %w", netDir, t, err)
		}
		for k, v := range socks {
			all[k] = v
		}
	}
	return all, nil
}

// sortedPorts returns the distinct ports of a socket table, sorted.
func sortedPorts(socks map[uint64]int) []int {
	var out []int
	for _, p := range socks {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// listeningPortsOfPids returns the ports on which the given processes hold listening
// sockets (unsafe-local mode: the host's table is shared, so match socket inodes).
func listeningPortsOfPids(pids []int) ([]int, error) {
	mine := map[uint64]int{}
	for _, pid := range pids {
		// The process's own view: /proc/net follows whichever thread reads it.
		socks, err := listeningInTables(fmt.Sprintf("/proc/%d/net", pid))
		if err != nil {
			continue // exited meanwhile
		}
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		if err != nil {
			continue // exited or not ours to read
		}
		for _, fd := range fds {
			link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			inode, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]"), 10, 64)
			if err != nil {
				continue
			}
			if port, ok := socks[inode]; ok {
				mine[inode] = port
			}
		}
	}
	return sortedPorts(mine), nil
}
