package gitfetch

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// gitCmd runs git in the checkout with an environment and configuration
// built from nothing: no system or global config, no credential helper,
// prompt or askpass, no hooks, no submodules, one allowed protocol.
type gitCmd struct {
	dest    string
	env     []string
	args    []string     // "-c key=value" pairs placed before every command
	refusal func() error // the proxy's refusal, if any, explains a failure
	runAs   *syscall.Credential
}

func newGit(dest, home string, opt *Options, protocol string, extra ...string) *gitCmd {
	config := []string{
		"protocol.allow=never",
		"protocol." + protocol + ".allow=always",
		"credential.helper=",
		"core.askPass=",
		"core.hooksPath=/dev/null",
		"core.fsmonitor=false",
		"submodule.recurse=false",
		"fetch.recurseSubmodules=false",
		"fetch.fsckObjects=true", // malformed trees ("..", ".git" paths) are refused
		// Blobs above this are streamed, not held in memory, while the
		// pack is indexed and checked (default 512m).
		"core.bigFileThreshold=32m",
		"gc.auto=0", // no background gc left running after fetch
		"maintenance.auto=false",
		"http.sslVerify=true",
		"init.defaultBranch=main",
		"advice.detachedHead=false",
		"safe.directory=" + dest, // the checkout may belong to the sandbox's user
	}
	if opt.CAFile != "" {
		config = append(config, "http.sslCAInfo="+opt.CAFile)
	}
	config = append(config, extra...)
	g := &gitCmd{dest: dest}
	for _, c := range config {
		g.args = append(g.args, "-c", c)
	}
	g.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"TMPDIR=" + home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_ATTR_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_PROTOCOL_FROM_USER=0",
		"GIT_OPTIONAL_LOCKS=0",
		"LC_ALL=C",
	}
	return g
}

// maxStderr bounds git's error output kept (a hostile server's "remote:"
// lines end up there).
const maxStderr = 8 << 10

func (g *gitCmd) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append(g.args, args...)...)
	cmd.Dir = g.dest
	cmd.Env = g.env
	// git fetch starts helpers (remote-https, index-pack): kill the group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: g.runAs}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs git with stdout to w (nil: discarded).
func (g *gitCmd) run(ctx context.Context, w io.Writer, args ...string) error {
	cmd := g.command(ctx, args...)
	stderr := &tail{max: maxStderr}
	cmd.Stdout, cmd.Stderr = w, stderr
	if err := cmd.Run(); err != nil {
		if g.refusal != nil {
			if r := g.refusal(); r != nil {
				return r
			}
		}
		return fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// output runs git and returns its stdout, trimmed (short answers only).
func (g *gitCmd) output(ctx context.Context, args ...string) (string, error) {
	out := &tail{max: 4096}
	if err := g.run(ctx, out, args...); err != nil {
		return "", err
	}
	return strings.TrimSpace(out.String()), nil
}

// maxFiles bounds the entries of a checkout: millions of empty files pack
// into almost nothing and would exhaust the disk's inodes. A repository with
// its node_modules committed stays well below.
const maxFiles = 200_000

// checkTreeSize refuses a commit whose files add up to more than max bytes or
// maxFiles entries before they are written: a few kilobytes of packed zeros
// can expand to gigabytes.
func checkTreeSize(ctx context.Context, g *gitCmd, commit string, max int64) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := g.run(ctx, pw, "ls-tree", "-r", "-l", "-z", "--full-tree", commit)
		pw.CloseWithError(err)
		done <- err
	}()
	var total int64
	files := 0
	r := bufio.NewReader(pr)
	for {
		entry, err := r.ReadBytes(0)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			pr.Close()
			<-done
			return err
		}
		// "<mode> <type> <object> <size>\t<path>"; size is "-" for submodules.
		meta, _, _ := bytes.Cut(entry, []byte{'\t'})
		fields := strings.Fields(string(meta))
		if len(fields) == 4 && fields[1] == "blob" {
			n, _ := strconv.ParseInt(fields[3], 10, 64)
			total += n
		}
		if files++; total > max || files > maxFiles {
			pr.Close()
			<-done
			return fmt.Errorf("%w: its files add up to more than the %s or %d-file limit", ErrTooLarge, size(max), maxFiles)
		}
	}
	return <-done
}

// tail keeps the last max bytes written.
type tail struct {
	buf []byte
	max int
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tail) String() string { return string(t.buf) }
