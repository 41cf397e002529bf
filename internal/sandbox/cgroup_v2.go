package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupV2 uses one unified hierarchy: phase cgroups are created directly under the
// root, where memory, pids and cpu are delegated; cgroup.kill ends a phase at once.
type cgroupV2 struct {
	root string
}

var v2Controllers = []string{"memory", "pids", "cpu"}

func newCgroupV2(root string) (*cgroupV2, error) {
	data, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
	if err != nil {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	have := strings.Fields(string(data))
	var missing []string
	for _, c := range v2Controllers {
		if !slices.Contains(have, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("cgroup v2 controllers not available in %s: %s", root, strings.Join(missing, ", "))
	}
	if err := writeFile(filepath.Join(root, "cgroup.subtree_control"), "+memory +pids +cpu"); err != nil {
		return nil, fmt.Errorf("cgroup v2: enable controllers: %w", err)
	}
	return &cgroupV2{root: root}, nil
}

func (d *cgroupV2) describe() string { return "cgroup v2 (memory, pids, cpu)" }

type v2Group struct {
	dir string
}

func (d *cgroupV2) create(name string, l Limits) (cgroup, error) {
	g := &v2Group{dir: filepath.Join(d.root, name)}
	if err := os.Mkdir(g.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cgroup %s: %w", name, err)
	}
	quota, period := cpuQuota(l.CPUs)
	settings := [][2]string{
		{"memory.max", strconv.FormatInt(l.Memory, 10)},
		{"pids.max", strconv.Itoa(l.Pids)},
		{"cpu.max", fmt.Sprintf("%d %d", quota, period)},
	}
	if _, err := os.Stat(filepath.Join(g.dir, "memory.swap.max")); err == nil {
		// memory.max does not count swap: forbid swap so the limit is memory+swap.
		settings = append(settings, [2]string{"memory.swap.max", "0"})
	}
	for _, s := range settings {
		if err := writeFile(filepath.Join(g.dir, s[0]), s[1]); err != nil {
			g.remove()
			return nil, err
		}
	}
	return g, nil
}

func (g *v2Group) addProc(pid int) error {
	return writeFile(filepath.Join(g.dir, "cgroup.procs"), strconv.Itoa(pid))
}

func (g *v2Group) limitHit() Cause {
	if readKey(filepath.Join(g.dir, "memory.events"), "oom_kill") > 0 {
		return CauseOOM
	}
	if readKey(filepath.Join(g.dir, "pids.events"), "max") > 0 {
		return CausePids
	}
	return ""
}

func (g *v2Group) procs() []int { return readPids(filepath.Join(g.dir, "cgroup.procs")) }

// killAll uses cgroup.kill, which kills every process of the cgroup atomically, forks
// in flight included.
func (g *v2Group) killAll() error {
	if len(g.procs()) == 0 {
		return nil // nothing can join an empty cgroup but through us
	}
	if err := writeFile(filepath.Join(g.dir, "cgroup.kill"), "1"); err != nil {
		// Older kernels: freeze, kill, thaw.
		freeze := filepath.Join(g.dir, "cgroup.freeze")
		writeFile(freeze, "1")
		for _, pid := range g.procs() {
			unix.Kill(pid, unix.SIGKILL)
		}
		writeFile(freeze, "0")
	}
	return waitEmpty(filepath.Join(g.dir, "cgroup.procs"), 10*time.Second)
}

func (g *v2Group) remove() error { return rmdirRetry(g.dir) }

func (d *cgroupV2) list(prefix string) []string { return listDirs(d.root, prefix) }

func (d *cgroupV2) destroy(name string) error {
	g := &v2Group{dir: filepath.Join(d.root, name)}
	if err := g.killAll(); err != nil {
		return err
	}
	return g.remove()
}
