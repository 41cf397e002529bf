package sandbox

import (
	"fmt"
	"time"
)

// Spec describes one command to run in a box: a Procfile phase.
type Spec struct {
	Phase   string            // "build", "release", "web" (used in messages)
	Command string            // run with /bin/sh -c inside the sandbox, cwd = checkout
	Env     map[string]string // the ONLY environment (plus PATH, HOME, LANG set by sandbox)
	Limits  Limits
	Egress  bool // build phase: egress proxy in the namespace + proxy env vars
}

// Limits bound one phase. Zero values mean "no limit" except where DefaultLimits says
// otherwise; callers normally start from DefaultLimits and override.
type Limits struct {
	Wall   time.Duration // 0: no wall clock (the grader stops web itself)
	Memory int64         // bytes, including swap
	Pids   int           // processes and threads
	CPUs   float64       // CPU quota in cores (0: unlimited)
	Disk   int64         // bytes, checkout + /tmp
	Output int           // bytes of combined output kept (tail)
}

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

// DefaultLimits returns the take-home contract's defaults for a phase.
func DefaultLimits(phase string) Limits {
	l := Limits{Memory: 1 * gib, Pids: 256, CPUs: 1, Disk: 2 * gib, Output: 1 * mib}
	switch phase {
	case "build":
		l.Wall = 10 * time.Minute
	case "release":
		l.Wall = 2 * time.Minute
	}
	return l
}

// Cause says why a phase ended.
type Cause string

const (
	CauseExited   Cause = "exited"   // the command exited by itself (any status)
	CauseSignaled Cause = "signaled" // killed by a signal it did not get from us
	CauseOOM      Cause = "oom"      // memory limit hit
	CausePids     Cause = "pids"     // process limit hit
	CauseTimeout  Cause = "timeout"  // wall clock limit hit
	CauseDisk     Cause = "disk"     // disk limit hit
	CauseCanceled Cause = "canceled" // the caller's context ended or Stop was called
)

// Result is what a phase did.
type Result struct {
	Phase         string
	ExitCode      int    // -1 when killed by a signal
	Signal        string // "SIGKILL" ...
	Cause         Cause
	Message       string // plain words: "build exceeded 10 minutes"
	Output        string // combined stdout+stderr, at most Limits.Output bytes (tail kept)
	OutputCut     bool   // true when output was cut; Output then begins with a note
	Duration      time.Duration
	Egress        []Tunnel // build: every tunnel opened or refused
	PlatformFault string   // non-empty when an allowed registry could not be reached
}

// Tunnel is one CONNECT request seen by the build egress proxy.
type Tunnel struct {
	Host              string
	Port              int
	Addr              string // address dialled (empty when refused before dialling)
	BytesIn, BytesOut int64  // In: from the registry to the box; Out: the other way
	Refused           string // why the proxy refused it; empty when allowed
	Error             string // dial or transfer error of an allowed tunnel
}

// OK reports whether the command exited 0 without hitting a limit.
func (r *Result) OK() bool {
	return r != nil && r.Cause == CauseExited && r.ExitCode == 0 && r.PlatformFault == ""
}

// describe fills Message from Cause and the other fields, in words a candidate reads.
func (r *Result) describe(l Limits) {
	p := r.Phase
	if p == "" {
		p = "command"
	}
	switch r.Cause {
	case CauseExited:
		if r.ExitCode == 0 {
			r.Message = p + " succeeded"
		} else {
			r.Message = fmt.Sprintf("%s exited with status %d", p, r.ExitCode)
		}
	case CauseSignaled:
		r.Message = fmt.Sprintf("%s was killed by signal %s", p, r.Signal)
	case CauseOOM:
		r.Message = fmt.Sprintf("%s ran out of memory (%s)", p, humanBytes(l.Memory))
	case CausePids:
		r.Message = fmt.Sprintf("%s started too many processes (limit %d)", p, l.Pids)
	case CauseTimeout:
		r.Message = fmt.Sprintf("%s exceeded %s", p, humanDuration(l.Wall))
	case CauseDisk:
		r.Message = fmt.Sprintf("%s used too much disk space (%s)", p, humanBytes(l.Disk))
	case CauseCanceled:
		r.Message = p + " was stopped"
	}
	if r.OutputCut {
		r.Message += fmt.Sprintf("; output cut to the last %s", humanBytes(int64(l.Output)))
	}
	if r.PlatformFault != "" {
		r.Message += "; " + r.PlatformFault
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= gib && n%gib == 0:
		return fmt.Sprintf("%d GiB", n/gib)
	case n >= mib && n%mib == 0:
		return fmt.Sprintf("%d MiB", n/mib)
	case n >= kib && n%kib == 0:
		return fmt.Sprintf("%d KiB", n/kib)
	}
	return fmt.Sprintf("%d bytes", n)
}

func humanDuration(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Minute == 0:
		if d == time.Minute {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", d/time.Minute)
	case d >= time.Second && d%time.Second == 0:
		if d == time.Second {
			return "1 second"
		}
		return fmt.Sprintf("%d seconds", d/time.Second)
	}
	return d.String()
}
