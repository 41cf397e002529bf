// Package sandbox runs a candidate's untrusted build, release and web commands with hard
// limits and no way out: bubblewrap for the file system and identity, a network namespace
// per box with loopback only, cgroups for memory, processes and CPU, and an egress proxy
// that lets builds reach package registries and nothing else.
//
// A Manager probes the host once; a Box is one submission's workspace and network
// namespace; each Run or Start is one phase in its own cgroup, and when a phase ends every
// process it started is gone.
package sandbox

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"
)

// Modes of a Manager.
const (
	ModeBwrap       = "bwrap"
	ModeUnsafeLocal = "unsafe-local"
)

// Prefix starts the name of everything the sandbox creates on the host (network
// namespaces, cgroups), so CleanupLeftovers can recognise what a dead worker left.
const Prefix = "assay-"

// DefaultEgressHosts are the package registries builds may reach through the proxy.
var DefaultEgressHosts = []string{
	"registry.npmjs.org",
	"proxy.golang.org",
	"sum.golang.org",
	"pypi.org",
	"files.pythonhosted.org",
}

// Resolver is the part of *net.Resolver the egress proxy uses; tests pass a stub.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Config configures a Manager.
type Config struct {
	Mode        string   // "bwrap" (default) or "unsafe-local"
	StateDir    string   // workspaces live under StateDir/sandbox/<box name>
	EgressHosts []string // registry hosts the build egress proxy tunnels to (port 443)

	// WarmCache, when set, is the warm cache boxes start with (see SetWarmCache and
	// gocache.go): a host directory mounted read-only at /cache in every box, never
	// writable by a sandbox. Optional.
	WarmCache string
	// Resolver and Dial are what the egress proxy uses to resolve and reach registries.
	// Defaults: net.DefaultResolver and a net.Dialer. Tests inject stubs so refusals are
	// checked without connecting out.
	Resolver Resolver
	Dial     func(ctx context.Context, network, addr string) (net.Conn, error)
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Manager creates boxes. It is safe for concurrent use.
type Manager struct {
	cfg     Config
	root    string // StateDir/sandbox
	lockDir string // where live boxes hold their locks
	log     *slog.Logger
	host    *hostSetup // nil in unsafe-local mode
	egress  map[string]bool
	warm    atomic.Pointer[string]
}

var boxName = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// New probes the host. In bwrap mode it refuses, saying exactly what is missing, when the
// host cannot sandbox; unsafe-local runs commands as plain processes.
func New(cfg Config) (*Manager, error) {
	if cfg.Mode == "" {
		cfg.Mode = ModeBwrap
	}
	if cfg.StateDir == "" {
		return nil, fmt.Errorf("sandbox: StateDir is required")
	}
	if len(cfg.EgressHosts) == 0 {
		cfg.EgressHosts = DefaultEgressHosts
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.Dial == nil {
		cfg.Dial = (&net.Dialer{}).DialContext
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	m := &Manager{
		cfg:    cfg,
		root:   filepath.Join(cfg.StateDir, "sandbox"),
		log:    cfg.Logger.With("component", "sandbox"),
		egress: map[string]bool{},
	}
	for _, h := range cfg.EgressHosts {
		m.egress[normalizeHost(h)] = true
	}
	m.SetWarmCache(cfg.WarmCache)
	switch cfg.Mode {
	case ModeUnsafeLocal:
		m.lockDir = filepath.Join(m.root, ".locks") // box names cannot start with a dot
	case ModeBwrap:
		m.lockDir = hostLockDir
		h, err := probeHost()
		if err != nil {
			return nil, fmt.Errorf("sandbox: this host cannot sandbox (set ASSAY_SANDBOX=unsafe-local to run without one): %w", err)
		}
		m.host = h
		m.log.Debug("sandboxing with bubblewrap", "bwrap", h.bwrap, "cgroups", h.cg.describe())
	default:
		return nil, fmt.Errorf("sandbox: unknown mode %q (want %q or %q)", cfg.Mode, ModeBwrap, ModeUnsafeLocal)
	}
	if err := os.MkdirAll(m.root, 0o711); err != nil {
		return nil, fmt.Errorf("sandbox: create state dir: %w", err)
	}
	if err := os.MkdirAll(m.lockDir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox: create lock dir: %w", err)
	}
	if m.host != nil {
		if err := traversable(m.root); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
	}
	return m, nil
}

// traversable checks that the boxes' uids can reach dir (bubblewrap runs as the box's
// uid and opens the checkout by path): every directory on the way needs search permission
// for others.
func traversable(dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("the sandbox users (uids %d and up) cannot reach %s: %s is mode %s (chmod o+x it)", boxUIDBase, dir, d, fi.Mode().Perm())
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// Unsafe reports whether commands run without a sandbox (unsafe-local mode).
func (m *Manager) Unsafe() bool { return m.host == nil }
