package sandbox

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The seccomp filter every phase runs under (bubblewrap loads it, with no_new_privs,
// just before it executes the command). Namespaces, dropped capabilities and the
// unprivileged uid already stop most of what it lists; the filter closes the kernel
// interfaces an unprivileged process still reaches (io_uring, keyrings, userfaultfd,
// perf, ptrace, file handles...) and is a second wall behind the capabilities for the
// rest. It follows Docker's default profile, as a deny list: denied calls fail with
// EPERM (ENOSYS where a runtime should take its fallback) rather than killing the
// process, so Node, Go and Python carry on without the feature.
//
// The program is built with github.com/elastic/go-seccomp-bpf, pure Go: the usual
// libseccomp-golang needs cgo and libseccomp-dev on every host that builds the worker.

// deniedSyscalls fail with EPERM. Names an architecture does not have are skipped
// (the list is Docker's, across architectures).
var deniedSyscalls = []string{
	// Kernel modules, kexec, reboot.
	"init_module", "finit_module", "delete_module", "create_module", "query_module",
	"get_kernel_syms", "kexec_load", "kexec_file_load", "reboot",
	// Mounts (the old and the new mount API) and namespaces.
	"mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick",
	"move_mount", "open_tree", "mount_setattr", "unshare", "setns",
	// Other processes' memory and state: no tracing at all, no cross-process reads.
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
	// Kernel interfaces unprivileged code reaches that have been a steady source of
	// privilege escalations, and that no build or web service needs.
	"keyctl", "add_key", "request_key", "userfaultfd", "perf_event_open", "bpf",
	"lookup_dcookie", "fanotify_init",
	// File handles bypass path permission checks (the "shocker" container escape).
	"open_by_handle_at", "name_to_handle_at",
	// Host-wide state.
	"swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "nfsservctl", "syslog",
	"vhangup", "clock_settime", "clock_adjtime", "settimeofday", "stime",
	"mbind", "set_mempolicy", "set_mempolicy_home_node", "move_pages", "migrate_pages",
	// Port I/O and obsolete calls.
	"ioperm", "iopl", "vm86", "vm86old", "uselib", "ustat", "sysfs", "_sysctl",
}

// unavailableSyscalls fail with ENOSYS, which runtimes read as "this kernel does not
// have it": libuv (Node) falls back from io_uring to epoll and thread pools, glibc from
// clone3 (whose flags sit in memory a filter cannot read) to clone, which the filter
// checks.
var unavailableSyscalls = []string{"io_uring_setup", "io_uring_enter", "io_uring_register", "clone3"}

// namespaceFlags are clone's CLONE_NEW* flags: clone with any of them is denied.
const namespaceFlags = unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWUTS |
	unix.CLONE_NEWIPC | unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWTIME

// safePersonalities are the personality(2) values Docker allows: the default, 32-bit
// uname, the old uname version, and the query. Anything else (ADDR_NO_RANDOMIZE,
// READ_IMPLIES_EXEC...) weakens the process's own hardening and is denied.
var safePersonalities = []uint64{0x0, 0x8, 0x20000, 0x20008, 0xffffffff}

// seccompProgram is the compiled filter in the layout bubblewrap reads (struct
// sock_filter, native byte order), built once.
var seccompProgram = sync.OnceValues(buildSeccompProgram)

func buildSeccompProgram() ([]byte, error) {
	native, err := arch.GetInfo("")
	if err != nil {
		return nil, fmt.Errorf("seccomp: %w", err)
	}
	personality := seccomp.NameWithConditions{Name: "personality"}
	for _, v := range safePersonalities {
		personality.Conditions = append(personality.Conditions, seccomp.Condition{Operation: seccomp.NotEqual, Value: v})
	}
	policy := seccomp.Policy{
		DefaultAction: seccomp.ActionAllow,
		Syscalls: []seccomp.SyscallGroup{
			{
				Names: known(native, deniedSyscalls),
				NamesWithCondtions: []seccomp.NameWithConditions{
					personality,
					{Name: "clone", Conditions: seccomp.ArgumentConditions{{Argument: 0, Operation: seccomp.BitsSet, Value: namespaceFlags}}},
				},
				Action: seccomp.ActionErrno | seccomp.Action(unix.EPERM),
			},
			{Names: known(native, unavailableSyscalls), Action: seccomp.ActionErrno | seccomp.Action(unix.ENOSYS)},
		},
	}
	filter, err := policy.Assemble()
	if err != nil {
		return nil, fmt.Errorf("seccomp: %w", err)
	}
	// The library lets calls of another architecture through (its policy is per
	// architecture): a 64-bit x86 process can still make 32-bit calls with int 0x80,
	// numbered differently. Refuse every call that is not of the native architecture.
	prog := append([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4}, // seccomp_data.arch
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(native.ID), SkipTrue: 1},
		bpf.RetConstant{Val: uint32(seccomp.ActionErrno) | uint32(unix.ENOSYS)},
	}, filter...)
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return nil, fmt.Errorf("seccomp: %w", err)
	}
	out := make([]byte, 0, 8*len(raw))
	for _, ins := range raw {
		out = binary.NativeEndian.AppendUint16(out, ins.Op)
		out = append(out, ins.Jt, ins.Jf)
		out = binary.NativeEndian.AppendUint32(out, ins.K)
	}
	return out, nil
}

// known keeps the names the architecture has.
func known(a *arch.Info, names []string) []string {
	var out []string
	for _, n := range names {
		if _, ok := a.SyscallNames[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

// seccompFile returns the filter in a memory file bubblewrap reads with --seccomp.
func seccompFile() (*os.File, error) {
	prog, err := seccompProgram()
	if err != nil {
		return nil, err
	}
	fd, err := unix.MemfdCreate("assay-seccomp", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("seccomp: memfd: %w", err)
	}
	f := os.NewFile(uintptr(fd), "assay-seccomp")
	if _, err := f.Write(prog); err != nil {
		f.Close()
		return nil, fmt.Errorf("seccomp: write filter: %w", err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("seccomp: rewind filter: %w", err)
	}
	return f, nil
}
