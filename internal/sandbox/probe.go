package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Sandboxed processes run as an unprivileged host uid, never root (bwrap is started
// unprivileged, so its user namespace maps that uid, not root): each box its own
// (uid.go). Inside the box they appear as insideUID, so host files show as owned by
// someone else. The probe tries bubblewrap as nobody: any unprivileged uid behaves alike.
const (
	probeUID  = 65534
	insideUID = 1000
	insideGID = 1000
)

// hostSetup is what New found on the host in bwrap mode.
type hostSetup struct {
	bwrap   string
	unshare string // mounts the warm build cache overlay as the box's uid (gocache.go)
	cg      cgDriver
}

// probeHost checks everything bwrap mode needs and names all that is missing at once.
func probeHost() (*hostSetup, error) {
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root (the worker creates network namespaces and cgroups)")
	}
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		missing = append(missing, "bubblewrap (apt-get install bubblewrap)")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		missing = append(missing, "unshare (apt-get install util-linux)")
	}
	if n := readSysctl("/proc/sys/user/max_user_namespaces"); n == "0" {
		missing = append(missing, "user namespaces (sysctl user.max_user_namespaces is 0)")
	}
	if n := readSysctl("/proc/sys/kernel/unprivileged_userns_clone"); n == "0" {
		missing = append(missing, "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone is 0)")
	}
	if _, err := os.Stat("/proc/self/ns/net"); err != nil {
		missing = append(missing, "network namespaces (kernel without CONFIG_NET_NS)")
	}
	cg, err := detectCgroups()
	if err != nil {
		missing = append(missing, err.Error())
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing: %s", strings.Join(missing, "; "))
	}
	h := &hostSetup{bwrap: bwrap, unshare: unshare, cg: cg}
	if err := h.tryBwrap(); err != nil {
		return nil, err
	}
	return h, nil
}

func readSysctl(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// tryBwrap starts bubblewrap once the way boxes do, so that restrictions no file shows
// (AppArmor or seccomp policies on user namespaces) are reported by New, not by a build.
func (h *hostSetup) tryBwrap() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	filter, err := seccompFile()
	if err != nil {
		return err
	}
	defer filter.Close()
	args := []string{"--seccomp", "3", "--unshare-user", "--uid", fmt.Sprint(insideUID), "--gid", fmt.Sprint(insideGID),
		"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net", "--disable-userns",
		"--die-with-parent", "--new-session", "--cap-drop", "ALL", "--proc", "/proc",
		"--dev", "/dev", "--tmpfs", "/tmp"}
	args = append(append(args, systemMounts()...), "--", "/bin/sh", "-c", "exit 0")
	cmd := exec.CommandContext(ctx, h.bwrap, args...)
	cmd.Env = []string{}
	cmd.Dir = "/"
	cmd.ExtraFiles = []*os.File{filter}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
		Uid: probeUID, Gid: probeUID, Groups: []uint32{}}}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bubblewrap cannot create its namespaces as uid %d (%v): %s", probeUID, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
