package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// localJail runs a phase as plain processes (unsafe-local mode): its own process group,
// rlimits (via prlimit), the wall clock and the output cap still apply. Nothing else.
type localJail struct {
	cmd  *exec.Cmd
	pgid int
	disk *diskMeter
}

func (b *Box) startLocal(s Spec, env []string, w *os.File) (jail, error) {
	if err := os.MkdirAll(filepath.Join(b.work, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("create tmp: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(b.dir, ".home"), 0o700); err != nil {
		return nil, fmt.Errorf("create home: %w", err)
	}
	args := []string{"/bin/sh", "-c", s.Command}
	if pl, err := exec.LookPath("prlimit"); err == nil {
		l := s.Limits
		args = append([]string{pl,
			"--nproc=" + strconv.Itoa(l.Pids), // per user, and root ignores it: best effort
			"--fsize=" + strconv.FormatInt(l.Disk, 10),
			"--data=" + strconv.FormatInt(l.Memory, 10),
			"--core=0",
			"--"}, args...)
	} else {
		b.m.log.Warn("prlimit not found: unsafe-local phases run without rlimits")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Dir = b.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := startCmd(cmd, w); err != nil {
		return nil, err
	}
	work := b.work // checkout and tmp
	disk := &diskMeter{limit: s.Limits.Disk, usage: func() int64 { return diskUsage(work) }}
	return &localJail{cmd: cmd, pgid: cmd.Process.Pid, disk: disk}, nil
}

func (j *localJail) wait() (*os.ProcessState, error) {
	err := j.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		err = nil
	}
	return j.cmd.ProcessState, err
}

// limitHit checks the disk; the other limits are rlimits the kernel applies itself.
func (j *localJail) limitHit() Cause {
	if j.disk.exceeded() {
		return CauseDisk
	}
	return ""
}

// killAll kills the process group. Processes that left it (setsid) are out of reach:
// that is why this mode is unsafe.
func (j *localJail) killAll() {
	unix.Kill(-j.pgid, unix.SIGKILL)
}

func (j *localJail) pids() []int {
	return pidsOfGroup(j.pgid)
}

func (j *localJail) release() {}

func (j *localJail) decode(st *os.ProcessState) (int, syscall.Signal) {
	ws, ok := st.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return -1, ws.Signal()
	}
	return st.ExitCode(), 0
}

// pidsOfGroup lists the processes of a process group by scanning /proc.
func pidsOfGroup(pgid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if g, err := unix.Getpgid(pid); err == nil && g == pgid {
			out = append(out, pid)
		}
	}
	return out
}
