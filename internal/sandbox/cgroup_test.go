package sandbox

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCgroupV2Settings checks the v2 driver's control files on a stand-in directory
// (this development host has cgroup v1): the limits it writes and the events it reads.
func TestCgroupV2Settings(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "cgroup.controllers"), []byte("cpuset cpu io memory hugetlb pids rdma misc\n"), 0o644)
	d, err := newCgroupV2(root)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "cgroup.subtree_control")); string(data) != "+memory +pids +cpu" {
		t.Fatalf("subtree_control %q", data)
	}
	dir := filepath.Join(root, "assay-x.1")
	_, err = d.create("assay-x.1", Limits{Memory: 64 << 20, Pids: 32, CPUs: 1.5})
	if err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{"memory.max": "67108864", "pids.max": "32", "cpu.max": "150000 100000"} {
		if data, _ := os.ReadFile(filepath.Join(dir, file)); string(data) != want {
			t.Errorf("%s = %q, want %q", file, data, want)
		}
	}
	g := &v2Group{dir: dir}
	if c := g.limitHit(); c != "" {
		t.Fatalf("limit hit %q before any event", c)
	}
	os.WriteFile(filepath.Join(dir, "pids.events"), []byte("max 3\n"), 0o644)
	if c := g.limitHit(); c != CausePids {
		t.Fatalf("limit hit %q, want pids", c)
	}
	os.WriteFile(filepath.Join(dir, "memory.events"), []byte("low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n"), 0o644)
	if c := g.limitHit(); c != CauseOOM {
		t.Fatalf("limit hit %q, want oom", c)
	}
	if got := d.list("assay-"); len(got) != 1 || got[0] != "assay-x.1" {
		t.Fatalf("list %v", got)
	}
}
