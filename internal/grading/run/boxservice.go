package run

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/gradingdb"
	"github.com/assayhq/assay/internal/pgwire"
	"github.com/assayhq/assay/internal/sandbox"
)

// boxService is one Start: a database, its forward, the endpoints, and web.
type boxService struct {
	e         *boxEngine
	db        *gradingdb.Database
	proxy     *pgwire.Proxy
	listeners []net.Listener
	env       map[string]string
	webPort   int
	// gradedPort is the port the checks go to: webPort, or in an adaptive
	// run the port web listens on instead; portWhy says where the
	// repository named that port ("" when it did not).
	gradedPort int
	portWhy    string

	web      *sandbox.Process
	webPhase grading.Phase // filled when web became ready, completed when it stops
}

// The methods below are grading.Backend's.

func (s *boxService) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	return s.e.box.DialContext(ctx, network, addr)
}
func (s *boxService) Port() int               { return s.gradedPort }
func (s *boxService) Statements() int64       { return s.proxy.Statements() }
func (s *boxService) DirectURL() string       { return s.e.o.DB.DirectURL(s.db) }
func (s *boxService) ForeignStores() []string { return foreignStores(s.e.root) }
func (s *boxService) Restart(ctx context.Context, o grading.RestartOptions) error {
	if err := s.stopWeb(); err != nil {
		return err
	}
	return s.launch(ctx, !o.SkipRelease)
}

// Exec runs a command beside web, as release runs: same environment, same
// limits, with the wall clock set to timeout.
func (s *boxService) Exec(ctx context.Context, command string, timeout time.Duration) (*grading.ExecResult, error) {
	l := s.e.limits("release")
	l.Wall = timeout
	res, err := s.e.box.Run(ctx, sandbox.Spec{Phase: "exec", Command: runCommand(s.e.root, command), Env: s.env, Limits: l})
	if err != nil {
		return nil, fmt.Errorf("run %q in the box: %w", command, err)
	}
	return &grading.ExecResult{ExitCode: res.ExitCode, Output: res.Output, Message: res.Message}, nil
}

// ReadFile reads a file of the checkout through its os.Root.
func (s *boxService) ReadFile(name string, max int64) ([]byte, error) {
	return readSmall(s.e.root, name, max)
}

// Stop ends web for good and closes the forward and endpoints.
func (s *boxService) Stop(ctx context.Context) error {
	err := s.stopWeb()
	s.closeListeners()
	if s.e.current == s {
		s.e.current = nil
	}
	return err
}

func (s *boxService) closeListeners() {
	s.noteRefusals()
	s.e.noteMappedLogins(s.proxy)
	for _, l := range s.listeners {
		l.Close()
	}
	s.listeners = nil
}

// stopWeb stops the running web process and records its phase.
func (s *boxService) stopWeb() error {
	if s.web == nil {
		return nil
	}
	res := s.web.Stop()
	s.web = nil
	p := s.webPhase
	p.ExitCode, p.OutputTail = res.ExitCode, tail(res.Output, outputTailBytes)
	s.e.record(p)
	return nil
}

// launch runs release (when release is set), starts web and waits until
// it is ready.
func (s *boxService) launch(ctx context.Context, release bool) error {
	e := s.e
	e.launches++
	suffix := ""
	if e.launches > 1 {
		suffix = "#" + strconv.Itoa(e.launches)
	}
	if e.noStart != "" {
		e.record(grading.Phase{Name: "web" + suffix, Status: grading.PhaseFailed, ExitCode: -1, Message: e.noStart})
		return &grading.StartError{Phase: "web", Message: e.noStart}
	}
	if e.procfile.Release != "" && release {
		e.phaseBegins("release" + suffix)
		res, err := e.box.Run(ctx, sandbox.Spec{Phase: "release", Command: runCommand(e.root, e.procfile.Release),
			Env: s.env, Limits: e.limits("release")})
		if err != nil {
			return fmt.Errorf("run release: %w", err)
		}
		p := phaseOf("release"+suffix, res)
		if !res.OK() {
			p.Message = s.causeOf(res)
		}
		e.record(p)
		if !res.OK() {
			return &grading.StartError{Phase: "release", Message: p.Message}
		}
	}
	e.phaseBegins("web" + suffix)
	web, err := e.box.Start(ctx, sandbox.Spec{Phase: "web", Command: runCommand(e.root, e.procfile.Web),
		Env: s.env, Limits: e.limits("web")})
	if err != nil {
		return fmt.Errorf("start web: %w", err)
	}
	start := time.Now()
	readyErr := s.waitReady(ctx, web)
	s.webPhase = grading.Phase{Name: "web" + suffix, Status: grading.PhaseOK, DurationMS: time.Since(start).Milliseconds(),
		Message: fmt.Sprintf("ready on $PORT (%d) after %.1f s", s.webPort, time.Since(start).Seconds())}
	if s.gradedPort != s.webPort {
		s.webPhase.Message = fmt.Sprintf("ready on %d, not $PORT (%d), after %.1f s", s.gradedPort, s.webPort, time.Since(start).Seconds())
	}
	if readyErr != nil {
		res := web.Stop()
		msg := readyErr.Error()
		// A service that waits or retries (a refused login, say) never
		// listens: what its output says comes first.
		if c := recognisedCause(res.Output); c != "" && !strings.Contains(msg, c) {
			msg = c + "; " + msg
		}
		s.webPhase.Status, s.webPhase.Message = grading.PhaseFailed, msg
		s.webPhase.ExitCode, s.webPhase.OutputTail = res.ExitCode, tail(res.Output, outputTailBytes)
		e.record(s.webPhase)
		return &grading.StartError{Phase: "web", Message: s.withRefusal(msg)}
	}
	s.web = web
	if s.gradedPort != s.webPort && !e.portAdapted {
		e.portAdapted = true
		port := strconv.Itoa(s.gradedPort)
		if s.portWhy != "" {
			port += " (" + s.portWhy + ")"
		}
		e.grader.Adapt(grading.SetupPort.ID, fmt.Sprintf("listened on %s, not $PORT: checks sent to %d", port, s.gradedPort))
	}
	return nil
}

// waitReady waits for web to listen on $PORT (within ReadyTimeout), then
// for ReadyPath to answer below 500 (within readyPollWindow). Both are
// polled: a slow service is never failed by a race. An adaptive run takes
// the first other port web listens on as soon as it does, and the port the
// repository's configuration names at once.
func (s *boxService) waitReady(ctx context.Context, web *sandbox.Process) error {
	s.gradedPort, s.portWhy = s.webPort, ""
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.webPort))
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	exited := func() error {
		r := web.Result()
		return fmt.Errorf("web ended before it was ready: %s", s.causeOf(r))
	}
	openBy := time.Now().Add(s.e.o.ReadyTimeout)
	var other int // another port web listens on, and since when
	var otherSince time.Time
	for {
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		c, err := s.Dial(dctx, "tcp", addr)
		cancel()
		if err == nil {
			c.Close()
			break
		}
		if p, why, ok := s.otherPort(); ok && why != "" {
			s.gradedPort, s.portWhy = p, why
			break
		} else if !ok || p != other {
			other, otherSince = p, time.Now()
		} else if time.Since(otherSince) >= otherPortGrace {
			s.gradedPort = p
			break
		}
		if time.Now().After(openBy) {
			return s.notListening()
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-web.Done():
			return exited()
		case <-tick.C:
		}
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.gradedPort))
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DialContext: s.Dial, DisableKeepAlives: true}}
	readyBy := time.Now().Add(readyPollWindow)
	path := s.e.o.Suite.ReadyPath
	last := "no answer"
	for {
		resp, err := client.Get("http://" + addr + path)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
			last = fmt.Sprintf("answered %d", resp.StatusCode)
		} else {
			last = "did not answer (" + err.Error() + ")"
		}
		if time.Now().After(readyBy) {
			return fmt.Errorf("web listened on %s but GET %s %s for %s; answer it with a status below 500 once the service is ready",
				s.portWords(), path, last, seconds(readyPollWindow))
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-web.Done():
			return exited()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// otherPortGrace is how long another port must be listened on, with $PORT
// still closed, before an adaptive run grades through it: a service that
// opens a second port (an inspector, a metrics server) just before $PORT
// is not graded through the wrong one.
const otherPortGrace = 500 * time.Millisecond

// otherPort is, in an adaptive run, the port web listens on when it is not
// $PORT: the one the repository's compose or .env file names (why says
// which), else the lowest.
func (s *boxService) otherPort() (port int, why string, ok bool) {
	if s.e.o.Mode != grading.ModeAdaptive {
		return 0, "", false
	}
	ports, err := s.e.box.ListeningPorts()
	if err != nil {
		return 0, "", false
	}
	ports = slices.DeleteFunc(ports, func(p int) bool { return p == s.webPort })
	if len(ports) == 0 {
		return 0, "", false
	}
	if named, why := s.e.repoConfig().servicePort(); named > 0 && slices.Contains(ports, named) {
		return named, why, true
	}
	return ports[0], "", true
}

// portWords names the port web is graded through, for messages.
func (s *boxService) portWords() string {
	if s.gradedPort != s.webPort {
		return fmt.Sprintf("%d (not $PORT)", s.gradedPort)
	}
	return fmt.Sprintf("$PORT (%d)", s.webPort)
}

// notListening says where the service listened, when not on $PORT.
func (s *boxService) notListening() error {
	msg := fmt.Sprintf("web did not listen on $PORT (%d) within %s", s.webPort, seconds(s.e.o.ReadyTimeout))
	ports, err := s.e.box.ListeningPorts()
	if err == nil && len(ports) > 0 {
		return fmt.Errorf("%s; it listened on %s instead: read the port from the PORT environment variable", msg, joinInts(ports))
	}
	return fmt.Errorf("%s; read the port from the PORT environment variable", msg)
}

func joinInts(v []int) string {
	s := ""
	for i, n := range v {
		if i > 0 {
			s += ", "
		}
		s += strconv.Itoa(n)
	}
	return s
}

func seconds(d time.Duration) string { return fmt.Sprintf("%g seconds", d.Seconds()) }

// refusal is the database forward's first refusal as a root cause, "" when
// it refused nothing: a service that logs in as another user fails because
// of it, whatever it prints, and is told to use $DATABASE_URL; one that
// demanded TLS and hung up when it was declined is told to use
// sslmode=disable.
func (s *boxService) refusal() string {
	if r := s.proxy.Refusals(); len(r) > 0 {
		return "the database " + r[0] + ": connect with $DATABASE_URL"
	}
	if s.proxy.DemandedTLS() {
		return pgwire.NoTLS
	}
	return ""
}

// causeOf is a failed release's or web's message: the forward's refusal
// first when there is one, else the root cause found in the output.
func (s *boxService) causeOf(r *sandbox.Result) string {
	if ref := s.refusal(); ref != "" {
		return ref + " (" + r.Message + ")"
	}
	return failureMessage(r, "")
}

// withRefusal puts the forward's refusal before a start failure that does
// not name it yet: a service may wait or retry instead of crashing.
func (s *boxService) withRefusal(msg string) string {
	if ref := s.refusal(); ref != "" && !strings.Contains(msg, ref) {
		return ref + "; " + msg
	}
	return msg
}

// maxRefusalNotices bounds what a service reconnecting in a loop can add.
const maxRefusalNotices = 5

// noteRefusals puts the forward's refusals on the scorecard as notices.
func (s *boxService) noteRefusals() {
	seen := map[string]bool{}
	for _, n := range s.e.card.Notices {
		seen[n] = true
	}
	added := 0
	for _, r := range s.proxy.Refusals() {
		n := "database forward: " + r
		if !seen[n] && added < maxRefusalNotices {
			s.e.card.Notices = append(s.e.card.Notices, n)
			seen[n] = true
			added++
		}
	}
}
