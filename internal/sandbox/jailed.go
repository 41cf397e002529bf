package sandbox

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// cgJail is a phase in bwrap mode: bubblewrap in the box's network namespace, in a
// cgroup of its own.
type cgJail struct {
	cg     cgroup
	exited chan exitInfo
	disk   *diskMeter
	log    *slog.Logger
}

// gateScript holds the process until the worker has put it into the phase's cgroup, so
// nothing of the phase ever runs outside it; then it sets the rlimits a cgroup cannot
// (core dumps, file size) and becomes bubblewrap.
const gateScript = `read _ <&3 || exit 125; exec 3<&-; ulimit -c 0; ulimit -f "$ASSAY_FSIZE_BLOCKS"; unset ASSAY_FSIZE_BLOCKS; exec "$@"`

func (b *Box) startJailed(s Spec, env []string, w *os.File, seq int) (jail, error) {
	h := b.m.host
	if err := b.prepareCheckout(); err != nil {
		return nil, err
	}
	cg, err := h.cg.create(fmt.Sprintf("%s%s.%d", Prefix, b.name, seq), s.Limits)
	if err != nil {
		return nil, err
	}
	gateR, gateW, err := os.Pipe()
	if err != nil {
		cg.remove()
		return nil, fmt.Errorf("gate pipe: %w", err)
	}
	defer gateW.Close()
	filter, err := seccompFile()
	if err != nil {
		gateR.Close()
		cg.remove()
		return nil, err
	}
	defer filter.Close()
	args := append([]string{"/bin/sh", "-c", gateScript, "gate"}, b.bwrapArgs(s)...)
	extra := []*os.File{gateR, filter} // 3 and seccompFD
	var mountR, mountW *os.File
	if b.goCache != nil {
		args = b.goCache.mountThen(h, args)
		if mountR, mountW, err = os.Pipe(); err != nil {
			gateR.Close()
			cg.remove()
			return nil, fmt.Errorf("overlay pipe: %w", err)
		}
		defer mountR.Close()
		defer mountW.Close()          // if the phase never starts; once it has, closed below
		extra = append(extra, mountW) // overlayFD
	}
	env = append(env, "ASSAY_FSIZE_BLOCKS="+strconv.FormatInt(s.Limits.Disk/512, 10))
	started := make(chan *exec.Cmd, 1)
	startErr := make(chan error, 1)
	exited := make(chan exitInfo, 1)
	goOffMainThread(func() {
		// This thread enters the box's network namespace and stays the parent of the
		// sandbox until it exits (PR_SET_PDEATHSIG follows the thread, not the process).
		if err := setnsNet(b.ns.path); err != nil {
			leaveNetNS()
			startErr <- err
			return
		}
		defer leaveNetNS()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = env
		cmd.Dir = "/"
		cmd.ExtraFiles = extra
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Setsid:     true,
			Pdeathsig:  syscall.SIGKILL,
			Credential: &syscall.Credential{Uid: uint32(b.uid()), Gid: uint32(b.gid()), Groups: []uint32{}},
		}
		err := startCmd(cmd, w)
		if mountW != nil {
			mountW.Close() // the overlay script holds the only copy now
		}
		if err != nil {
			startErr <- err
			return
		}
		if err := overlayMounted(mountR); err != nil {
			cmd.Wait()
			startErr <- err
			return
		}
		started <- cmd
		err = cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = nil
		}
		exited <- exitInfo{cmd.ProcessState, err}
	})
	var cmd *exec.Cmd
	select {
	case cmd = <-started:
	case err := <-startErr:
		gateR.Close()
		cg.remove()
		return nil, err
	}
	gateR.Close()
	j := &cgJail{cg: cg, exited: exited, log: b.m.log.With("box", b.name, "phase", s.Phase)}
	j.disk = &diskMeter{limit: s.Limits.Disk, usage: func() int64 { return diskUsage(b.dir) + b.goCacheUsage() + j.tmpUsage() }}
	if err := cg.addProc(cmd.Process.Pid); err != nil {
		cmd.Process.Kill()
		<-exited
		cg.remove()
		return nil, err
	}
	if _, err := gateW.Write([]byte("go\n")); err != nil {
		j.killAll()
		<-exited
		cg.remove()
		return nil, fmt.Errorf("open the gate: %w", err)
	}
	return j, nil
}

// overlayMounted waits for the overlay script to mount the box's build cache (nil
// without one) and says why it could not.
func overlayMounted(r *os.File) error {
	if r == nil {
		return nil
	}
	msg, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("warm cache: read the overlay mount's report: %w", err)
	}
	if len(msg) > 0 {
		return fmt.Errorf("warm cache: mount overlay: %s", strings.Join(strings.Fields(string(msg)), " "))
	}
	return nil
}

func setnsNet(path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open network namespace: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("enter network namespace: %w", err)
	}
	return nil
}

// prepareCheckout gives the checkout (cloned and prepared by root) to the box's uid and
// makes its home. It goes through os.Root so a symlink planted by an earlier phase
// cannot redirect a chown outside the checkout.
func (b *Box) prepareCheckout() error {
	uid, gid := b.uid(), b.gid()
	root, err := os.OpenRoot(b.dir)
	if err != nil {
		return fmt.Errorf("open checkout: %w", err)
	}
	defer root.Close()
	if err := root.Mkdir(".home", 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create home: %w", err)
	}
	err = fs.WalkDir(root.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished meanwhile
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) == uid && int(st.Gid) == gid {
			return nil
		}
		if err := root.Lchown(path, uid, gid); err != nil {
			return fmt.Errorf("chown %s: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("give checkout to the box's uid: %w", err)
	}
	return nil
}

func (j *cgJail) wait() (*os.ProcessState, error) {
	ex := <-j.exited
	return ex.state, ex.err
}

func (j *cgJail) limitHit() Cause {
	if c := j.cg.limitHit(); c != "" {
		return c
	}
	if j.disk.exceeded() {
		return CauseDisk
	}
	return ""
}

// tmpUsage measures the box's /tmp (a tmpfs only its mount namespace sees) through
// /proc/<pid>/root of a process inside the box.
func (j *cgJail) tmpUsage() int64 {
	self, err := os.Readlink("/proc/self/ns/mnt")
	if err != nil {
		return 0
	}
	for _, pid := range j.cg.procs() {
		ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", pid))
		if err != nil || ns == self {
			continue
		}
		var st unix.Statfs_t
		if err := unix.Statfs(filepath.Join("/proc", strconv.Itoa(pid), "root", "tmp"), &st); err != nil || st.Type != unix.TMPFS_MAGIC {
			continue
		}
		return int64(st.Blocks-st.Bfree) * st.Bsize
	}
	return 0
}

func (j *cgJail) killAll() {
	if err := j.cg.killAll(); err != nil {
		j.log.Warn("kill phase", "err", err)
	}
}

func (j *cgJail) pids() []int { return j.cg.procs() }

func (j *cgJail) release() {
	if err := j.cg.remove(); err != nil {
		j.log.Warn("remove cgroup", "err", err)
	}
}

// decode reads bubblewrap's exit status: the command's status, or 128+n when signal n
// killed it (so "exit 137" from a script reads as SIGKILL, as in a shell).
func (j *cgJail) decode(st *os.ProcessState) (int, syscall.Signal) {
	ws, ok := st.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return -1, ws.Signal()
	}
	code := st.ExitCode()
	if code > 128 && code < 128+65 {
		return -1, syscall.Signal(code - 128)
	}
	return code, 0
}
