package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Process is a phase started in a box.
type Process struct {
	box    *Box
	spec   Spec
	jail   jail
	out    *tailBuffer
	start  time.Time
	proxy  *egressProxy // build phases with Egress
	stopCh chan struct{}
	done   chan struct{}

	mu     sync.Mutex
	cause  Cause // set by whoever ends the phase first (limit, wall clock, Stop)
	result *Result
	once   sync.Once
}

// jail is how one phase's processes are confined: a cgroup in bwrap mode, a process group
// in unsafe-local mode.
type jail interface {
	// wait waits for the main process to exit.
	wait() (*os.ProcessState, error)
	// limitHit reports a limit the phase has hit (OOM, pids, disk), or "".
	limitHit() Cause
	// killAll kills every process of the phase and returns once they are gone.
	killAll()
	// pids lists the phase's processes (host pids).
	pids() []int
	// release frees what the jail holds (cgroup directories); processes are gone.
	release()
	// decode turns the main process's wait status into the command's exit code or the
	// signal that killed it.
	decode(*os.ProcessState) (code int, sig syscall.Signal)
}

// pollEvery is how often a running phase's limits are checked.
const pollEvery = 200 * time.Millisecond

// Run runs a phase to completion. The error is for the platform's failures (the box is
// closed, the sandbox could not start); everything the command did is in the Result.
func (b *Box) Run(ctx context.Context, s Spec) (*Result, error) {
	p, err := b.Start(ctx, s)
	if err != nil {
		return nil, err
	}
	<-p.Done()
	return p.Result(), nil
}

// Start starts a phase in the background (web). Stop ends it; so do its limits, ctx and
// Box.Close.
func (b *Box) Start(ctx context.Context, s Spec) (*Process, error) {
	s.Limits = withDefaults(s.Phase, s.Limits)
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, fmt.Errorf("sandbox: box %s is closed", b.name)
	}
	b.seq++
	seq := b.seq
	b.mu.Unlock()

	p := &Process{box: b, spec: s, out: newTailBuffer(s.Limits.Output),
		stopCh: make(chan struct{}), done: make(chan struct{})}
	if s.Egress && b.ns != nil {
		proxy, err := b.startEgressProxy()
		if err != nil {
			return nil, err
		}
		p.proxy = proxy
	}
	r, w, err := os.Pipe()
	if err != nil {
		p.closeProxy()
		return nil, fmt.Errorf("sandbox: box %s: output pipe: %w", b.name, err)
	}
	env := b.environment(s, p.proxy)
	p.start = time.Now()
	if b.ns == nil {
		p.jail, err = b.startLocal(s, env, w)
	} else {
		p.jail, err = b.startJailed(s, env, w, seq)
	}
	w.Close() // the children hold their copies; EOF comes when the last one is gone
	if err != nil {
		r.Close()
		p.closeProxy()
		return nil, fmt.Errorf("sandbox: box %s: start %s: %w", b.name, s.Phase, err)
	}
	b.mu.Lock()
	b.procs[p] = struct{}{}
	b.mu.Unlock()
	copied := make(chan struct{})
	go func() {
		io.Copy(p.out, r)
		r.Close()
		close(copied)
	}()
	go p.supervise(ctx, copied)
	return p, nil
}

// withDefaults fills zero limits with the phase's contract defaults.
func withDefaults(phase string, l Limits) Limits {
	d := DefaultLimits(phase)
	if l.Wall == 0 {
		l.Wall = d.Wall
	}
	if l.Memory == 0 {
		l.Memory = d.Memory
	}
	if l.Pids == 0 {
		l.Pids = d.Pids
	}
	if l.CPUs == 0 {
		l.CPUs = d.CPUs
	}
	if l.Disk == 0 {
		l.Disk = d.Disk
	}
	if l.Output == 0 {
		l.Output = d.Output
	}
	return l
}

// Done is closed when the phase has ended and every one of its processes is gone.
func (p *Process) Done() <-chan struct{} { return p.done }

// Result is the phase's result; valid after Done.
func (p *Process) Result() *Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.result
}

// Stop kills the whole phase, waits for it and returns its result.
func (p *Process) Stop() *Result {
	p.once.Do(func() { close(p.stopCh) })
	<-p.done
	return p.Result()
}

func (p *Process) pids() []int {
	select {
	case <-p.done:
		return nil
	default:
		return p.jail.pids()
	}
}

// end records why the phase is ending (the first reason wins) and kills it.
func (p *Process) end(c Cause) {
	p.mu.Lock()
	if p.cause == "" {
		p.cause = c
	}
	p.mu.Unlock()
	p.jail.killAll()
}

type exitInfo struct {
	state *os.ProcessState
	err   error
}

// supervise enforces the wall clock, the caller's context, Stop and the polled limits,
// then makes sure nothing of the phase survives and builds the Result.
func (p *Process) supervise(ctx context.Context, copied <-chan struct{}) {
	exited := make(chan exitInfo, 1)
	go func() {
		st, err := p.jail.wait()
		exited <- exitInfo{st, err}
	}()
	var wall <-chan time.Time
	if p.spec.Limits.Wall > 0 {
		t := time.NewTimer(p.spec.Limits.Wall)
		defer t.Stop()
		wall = t.C
	}
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var ex exitInfo
	ctxDone, stop := ctx.Done(), p.stopCh // set to nil once acted on: closed channels stay ready
wait:
	for {
		select {
		case ex = <-exited:
			break wait
		case <-wall:
			p.end(CauseTimeout)
		case <-ctxDone:
			ctxDone = nil
			p.end(CauseCanceled)
		case <-stop:
			stop = nil
			p.end(CauseCanceled)
		case <-tick.C:
			if c := p.jail.limitHit(); c != "" {
				p.end(c)
			}
		}
	}
	// The main process is gone; whatever it left running goes with it.
	if c := p.jail.limitHit(); c != "" {
		p.end(c)
	} else {
		p.jail.killAll()
	}
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
		// Only a descriptor passed outside the jail could keep the pipe open; do not
		// hang the grader on it.
		p.box.m.log.Warn("output pipe still open after the phase ended", "box", p.box.name, "phase", p.spec.Phase)
	}
	p.jail.release()
	res := p.buildResult(ex)
	p.closeProxy()
	if p.proxy != nil {
		res.Egress = p.proxy.tunnels()
		res.PlatformFault = p.proxy.platformFault()
		res.describe(p.spec.Limits)
	}
	p.box.mu.Lock()
	delete(p.box.procs, p)
	p.box.mu.Unlock()
	p.mu.Lock()
	p.result = res
	p.mu.Unlock()
	close(p.done)
}

func (p *Process) buildResult(ex exitInfo) *Result {
	res := &Result{Phase: p.spec.Phase, Duration: time.Since(p.start), ExitCode: -1}
	res.Output, res.OutputCut = p.out.result()
	p.mu.Lock()
	res.Cause = p.cause
	p.mu.Unlock()
	if ex.state != nil {
		code, sig := p.jail.decode(ex.state)
		res.ExitCode = code
		if sig != 0 {
			res.Signal = unix.SignalName(sig)
			res.ExitCode = -1
		}
		if res.Cause == "" {
			switch sig {
			case 0:
				res.Cause = CauseExited
			case unix.SIGXFSZ: // RLIMIT_FSIZE: one file grew past the disk limit
				res.Cause = CauseDisk
			default:
				res.Cause = CauseSignaled
			}
		}
	} else if res.Cause == "" {
		res.Cause = CauseSignaled
		if ex.err != nil && !errors.Is(ex.err, os.ErrProcessDone) {
			res.Output += "\n[sandbox: " + ex.err.Error() + "]"
		}
	}
	res.describe(p.spec.Limits)
	return res
}

func (p *Process) closeProxy() {
	if p.proxy != nil {
		p.proxy.close()
	}
}

// startCmd starts cmd with its output going to w and returns once it runs.
func startCmd(cmd *exec.Cmd, w *os.File) error {
	cmd.Stdin = nil
	cmd.Stdout = w
	cmd.Stderr = w
	return cmd.Start()
}
