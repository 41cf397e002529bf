package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupV1 uses the memory, pids, cpu and freezer hierarchies; the freezer is what makes
// killing a whole phase race-free (a frozen fork bomb cannot fork while we kill it).
type cgroupV1 struct {
	root  string
	memsw bool // memory.memsw.* exists: the memory limit includes swap
}

var v1Controllers = []string{"memory", "pids", "cpu", "freezer"}

func newCgroupV1(root string) (*cgroupV1, error) {
	var missing []string
	for _, c := range v1Controllers {
		var st unix.Statfs_t
		dir := filepath.Join(root, c)
		if err := unix.Statfs(dir, &st); err != nil || st.Type != unix.CGROUP_SUPER_MAGIC {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("cgroup v1 controllers not mounted under %s: %s", root, strings.Join(missing, ", "))
	}
	_, err := os.Stat(filepath.Join(root, "memory", "memory.memsw.limit_in_bytes"))
	return &cgroupV1{root: root, memsw: err == nil}, nil
}

func (d *cgroupV1) describe() string {
	if d.memsw {
		return "cgroup v1 (memory+swap, pids, cpu, freezer)"
	}
	return "cgroup v1 (memory without swap accounting, pids, cpu, freezer)"
}

type v1Group struct {
	d    *cgroupV1
	name string
}

func (g *v1Group) path(ctrl, file string) string {
	return filepath.Join(g.d.root, ctrl, g.name, file)
}

func (d *cgroupV1) create(name string, l Limits) (cgroup, error) {
	g := &v1Group{d: d, name: name}
	for _, c := range v1Controllers {
		if err := os.Mkdir(g.path(c, ""), 0o755); err != nil {
			g.remove()
			return nil, fmt.Errorf("create cgroup %s/%s: %w", c, name, err)
		}
	}
	quota, period := cpuQuota(l.CPUs)
	settings := [][2]string{
		{g.path("memory", "memory.limit_in_bytes"), strconv.FormatInt(l.Memory, 10)},
		{g.path("pids", "pids.max"), strconv.Itoa(l.Pids)},
		{g.path("cpu", "cpu.cfs_period_us"), strconv.FormatInt(period, 10)},
		{g.path("cpu", "cpu.cfs_quota_us"), strconv.FormatInt(quota, 10)},
	}
	if d.memsw { // after limit_in_bytes: memsw may never be below it
		settings = append(settings, [2]string{g.path("memory", "memory.memsw.limit_in_bytes"), strconv.FormatInt(l.Memory, 10)})
	}
	for _, s := range settings {
		if err := writeFile(s[0], s[1]); err != nil {
			g.remove()
			return nil, err
		}
	}
	return g, nil
}

func (g *v1Group) addProc(pid int) error {
	for _, c := range v1Controllers {
		if err := writeFile(g.path(c, "cgroup.procs"), strconv.Itoa(pid)); err != nil {
			return err
		}
	}
	return nil
}

func (g *v1Group) limitHit() Cause {
	if readKey(g.path("memory", "memory.oom_control"), "oom_kill") > 0 {
		return CauseOOM
	}
	if readKey(g.path("pids", "pids.events"), "max") > 0 {
		return CausePids
	}
	return ""
}

func (g *v1Group) procs() []int { return readPids(g.path("freezer", "cgroup.procs")) }

// killAll freezes the cgroup, SIGKILLs everything in it, thaws it so the signals are
// delivered, and waits until it is empty.
func (g *v1Group) killAll() error {
	if len(g.procs()) == 0 {
		return nil // nothing can join an empty cgroup but through us
	}
	state := g.path("freezer", "freezer.state")
	frozen := writeFile(state, "FROZEN") == nil && waitFrozen(state)
	for _, pid := range g.procs() {
		unix.Kill(pid, unix.SIGKILL)
	}
	if err := writeFile(state, "THAWED"); err != nil {
		return err
	}
	if !frozen { // a process may have forked between listing and killing: sweep again
		for i := 0; i < 20 && len(g.procs()) > 0; i++ {
			for _, pid := range g.procs() {
				unix.Kill(pid, unix.SIGKILL)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return waitEmpty(g.path("freezer", "cgroup.procs"), 10*time.Second)
}

// waitFrozen waits for the freezer to report FROZEN (it passes through FREEZING).
func waitFrozen(state string) bool {
	for i := 0; i < 200; i++ {
		data, err := os.ReadFile(state)
		if err != nil {
			return false
		}
		if strings.TrimSpace(string(data)) == "FROZEN" {
			return true
		}
		time.Sleep(500 * time.Microsecond)
	}
	return false
}

func (g *v1Group) remove() error {
	var errs []error
	for _, c := range v1Controllers {
		if err := rmdirRetry(g.path(c, "")); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (d *cgroupV1) list(prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range v1Controllers {
		for _, n := range listDirs(filepath.Join(d.root, c), prefix) {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

func (d *cgroupV1) destroy(name string) error {
	g := &v1Group{d: d, name: name}
	// A leftover may lack some controllers' directories; killing what the freezer holds
	// and sweeping the others is enough.
	killErr := g.killAll()
	for _, c := range v1Controllers {
		for _, pid := range readPids(g.path(c, "cgroup.procs")) {
			unix.Kill(pid, unix.SIGKILL)
		}
	}
	return errors.Join(killErr, g.remove())
}
