package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// etcFiles are the parts of the host's /etc that toolchains read (TLS roots, name
// service switch, dynamic linker, time zone). The rest of /etc stays out of reach.
var etcFiles = []string{
	"alternatives", "ca-certificates", "ca-certificates.conf", "gai.conf", "host.conf",
	"ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "mime.types",
	"nsswitch.conf", "npmrc", "os-release", "pip.conf", "protocols", "python3",
	"python3.11", "services", "ssl",
}

// rootDirs are top-level directories that hold programs; merged-/usr hosts make most
// of them symlinks into /usr, which the box gets as symlinks too.
var rootDirs = []string{"bin", "sbin", "lib", "lib32", "lib64", "libx32"}

// warmCacheInside is where Config.WarmCache appears, read-only.
const warmCacheInside = "/cache"

// seccompFD is the descriptor a phase's bubblewrap reads the seccomp filter from (the
// gate holds 3).
const seccompFD = 4

// bwrapArgs returns bubblewrap's command line for one phase: new user (unprivileged,
// capabilities dropped, no nested user namespaces), pid, ipc and uts namespaces, the
// seccomp filter (seccomp.go) on seccompFD; system
// directories and toolchains read-only; the checkout read-write at /app; a size-capped
// /tmp. The network namespace is the box's, entered before bwrap starts.
func (b *Box) bwrapArgs(s Spec) []string {
	a := []string{b.m.host.bwrap,
		"--unshare-user", "--uid", strconv.Itoa(insideUID), "--gid", strconv.Itoa(insideGID),
		"--disable-userns",
		"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
		"--hostname", "box",
		"--die-with-parent", "--new-session",
		"--cap-drop", "ALL",
		"--seccomp", strconv.Itoa(seccompFD),
	}
	a = append(a, systemMounts()...)
	for _, f := range etcFiles {
		a = append(a, "--ro-bind-try", "/etc/"+f, "/etc/"+f)
	}
	a = append(a,
		"--ro-bind", filepath.Join(b.work, "passwd"), "/etc/passwd",
		"--ro-bind", filepath.Join(b.work, "group"), "/etc/group",
		"--ro-bind", filepath.Join(b.work, "hosts"), "/etc/hosts",
		"--proc", "/proc",
		"--dev", "/dev",
		"--size", strconv.FormatInt(s.Limits.Disk, 10), "--tmpfs", "/tmp",
		"--bind", b.dir, insideDir,
	)
	if b.warm != "" {
		a = append(a, "--ro-bind", b.warm, warmCacheInside)
	}
	if b.goCache != nil {
		a = append(a, "--bind", b.goCache.merged, goCacheInside)
	}
	// The root is a tmpfs bwrap built; made read-only, nothing can be added next to the
	// mounts (no /root, no /etc/x): only the checkout and /tmp are writable.
	a = append(a, "--remount-ro", "/", "--chdir", insideDir)
	return append(a, "--", "/bin/sh", "-c", s.Command)
}

// systemMounts mounts /usr (toolchains included: Go at /usr/local/go, Node.js, Python)
// read-only, and the top-level program directories as the host has them.
func systemMounts() []string {
	a := []string{"--ro-bind", "/usr", "/usr"}
	for _, d := range rootDirs {
		p := "/" + d
		if target, err := os.Readlink(p); err == nil {
			a = append(a, "--symlink", target, p)
		} else if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			a = append(a, "--ro-bind", p, p)
		}
	}
	return a
}

// writeIdentity writes the passwd and group files the box sees, so tools that look up
// the current user (npm, pip, git) find one, and nothing about the host's users leaks.
func (b *Box) writeIdentity() error {
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/usr/sbin/nologin\n"+
		"app:x:%d:%d:app:%s/.home:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
		insideUID, insideGID, insideDir)
	group := fmt.Sprintf("root:x:0:\napp:x:%d:\nnogroup:x:65534:\n", insideGID)
	if err := os.WriteFile(filepath.Join(b.work, "passwd"), []byte(passwd), 0o644); err != nil {
		return fmt.Errorf("write passwd: %w", err)
	}
	if err := os.WriteFile(filepath.Join(b.work, "group"), []byte(group), 0o644); err != nil {
		return fmt.Errorf("write group: %w", err)
	}
	return nil
}
