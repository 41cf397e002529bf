package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Each live box runs as a host uid (and gid) of its own, from a range no host account
// uses. Namespaces already keep boxes apart; distinct uids keep them apart where the
// kernel goes by uid alone: signals and ptrace should a process ever name another box's,
// and the per-user limits (inotify instances, pipe buffers, message queues, process
// counts) that one box could otherwise use up for every other.
const (
	boxUIDBase  = 100000
	boxUIDSlots = 1000 // far more boxes than a host runs at once
)

// uidClaim is a host uid a box holds for its life: a locked file per uid in the
// host-wide lock directory, so workers sharing the host never hand out the same uid.
// Lock files are named "uid.<n>.lock": box names cannot contain a dot.
type uidClaim struct {
	uid  int
	lock *os.File
	path string
}

// claimUID takes a free box uid: one whose lock no live box holds and under which no
// process runs (a process a dead worker's box left behind keeps its uid out of use
// until CleanupLeftovers kills it).
func (m *Manager) claimUID() (*uidClaim, error) {
	running := uidsOfProcesses()
	var lastErr error
	for uid := boxUIDBase; uid < boxUIDBase+boxUIDSlots; uid++ {
		if running[uid] {
			continue
		}
		path := m.uidClaimPath(strconv.Itoa(uid))
		lock, err := acquireLock(path)
		if err != nil {
			lastErr = err
			continue
		}
		return &uidClaim{uid: uid, lock: lock, path: path}, nil
	}
	return nil, fmt.Errorf("no free sandbox uid in %d-%d: %w", boxUIDBase, boxUIDBase+boxUIDSlots-1, lastErr)
}

// uidClaimPath is the lock file of a uid; "*" gives the pattern of them all.
func (m *Manager) uidClaimPath(uid string) string {
	return filepath.Join(m.lockDir, "uid."+uid+".lock")
}

// removeDeadUIDClaims removes the lock files of uids no live box holds (a dead worker's
// boxes leave theirs; the uid is free either way once the lock is not held).
func (m *Manager) removeDeadUIDClaims() {
	claims, _ := filepath.Glob(m.uidClaimPath("*"))
	for _, path := range claims {
		if lock, dead := lockIfDead(path); dead {
			releaseLock(lock, path)
		}
	}
}

// release gives the uid back; the box's processes are gone.
func (c *uidClaim) release() {
	if c != nil {
		releaseLock(c.lock, c.path)
	}
}

// uidsOfProcesses returns the real uids of the host's live processes. Zombies do not
// count: they can do nothing, and one whose parent died waits for the host's init to
// reap it.
func uidsOfProcesses() map[int]bool {
	uids := map[int]bool{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if uid, alive := processUID(filepath.Join("/proc", e.Name(), "status")); alive {
			uids[uid] = true
		}
	}
	return uids
}

// processUID reads the real uid from a /proc/<pid>/status file; alive is false for a
// zombie or a process that is gone.
func processUID(status string) (uid int, alive bool) {
	data, err := os.ReadFile(status)
	if err != nil {
		return 0, false
	}
	uid = -1
	for _, line := range strings.Split(string(data), "\n") {
		key, value, _ := strings.Cut(line, ":")
		f := strings.Fields(value)
		switch {
		case len(f) == 0:
		case key == "State" && (f[0] == "Z" || f[0] == "X"):
			return 0, false
		case key == "Uid":
			uid, err = strconv.Atoi(f[0])
			if err != nil {
				return 0, false
			}
		}
	}
	return uid, uid >= 0
}
