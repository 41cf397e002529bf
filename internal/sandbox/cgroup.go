package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// cgDriver creates the cgroups phases run in, on cgroup v1 or v2.
type cgDriver interface {
	// create makes a cgroup named name with the phase's limits.
	create(name string, l Limits) (cgroup, error)
	// list returns the names of the cgroups whose name starts with prefix.
	list(prefix string) []string
	// destroy kills what runs in a cgroup found by list and removes it.
	destroy(name string) error
	// describe says which hierarchy is used, for logs.
	describe() string
}

// cgroup is one phase's cgroup.
type cgroup interface {
	addProc(pid int) error
	// limitHit reports "oom" or "pids" once the kernel has enforced either limit.
	limitHit() Cause
	// killAll kills every process in the cgroup, including ones forked meanwhile, and
	// waits until the cgroup is empty.
	killAll() error
	procs() []int
	remove() error
}

const cgroupRoot = "/sys/fs/cgroup"

// detectCgroups picks cgroup v2 when /sys/fs/cgroup is a unified hierarchy, else the v1
// controllers; the error names what is missing.
func detectCgroups() (cgDriver, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(cgroupRoot, &st); err != nil {
		return nil, fmt.Errorf("cgroups: %s: %w", cgroupRoot, err)
	}
	if st.Type == unix.CGROUP2_SUPER_MAGIC {
		return newCgroupV2(cgroupRoot)
	}
	return newCgroupV1(cgroupRoot)
}

// writeFile writes a control file (they take one value per write).
func writeFile(path, value string) error {
	if err := os.WriteFile(path, []byte(value), 0); err != nil {
		return fmt.Errorf("write %q to %s: %w", value, path, err)
	}
	return nil
}

// readKey reads "key value" lines (memory.events, pids.events, memory.oom_control) and
// returns the value of key, 0 when absent.
func readKey(path, key string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if ok && k == key {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// readPids parses a cgroup.procs file.
func readPids(path string) []int {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []int
	for _, f := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// waitEmpty polls procs until it is empty (killed processes take a moment to exit).
func waitEmpty(procsFile string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for delay := 200 * time.Microsecond; ; delay = min(delay*2, 20*time.Millisecond) {
		if len(readPids(procsFile)) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes still in %s after %s", filepath.Dir(procsFile), timeout)
		}
		time.Sleep(delay)
	}
}

// rmdirRetry removes a cgroup directory; the kernel may report it busy for a moment
// after its last process exited.
func rmdirRetry(dir string) error {
	var err error
	for i := 0; i < 50; i++ {
		err = unix.Rmdir(dir)
		if err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("remove cgroup %s: %w", dir, err)
}

// listDirs returns the names of directories under dir starting with prefix.
func listDirs(dir, prefix string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), prefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// cpuQuota turns a CPU count into a CFS quota for a 100 ms period.
func cpuQuota(cpus float64) (quota, period int64) {
	period = 100_000
	return int64(cpus * float64(period)), period
}
