package run

import (
	"fmt"
	"net"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/pgwire"
)

// repoDatabase is what adaptive mode changed about the service's database
// settings, kept across Starts: each is priced once per run.
type repoDatabase struct {
	described bool   // envLine was worked out (on the first Start)
	envLine   string // adaptation line of the settings passed; "" once recorded or when none
	loggedIn  map[pgwire.Login]bool
}

// addRepoDatabaseEnv adds, in adaptive mode, the database variables of the
// repository's .env and compose file to env, pointed at the box's database
// (addr). Variables already in env (the engine's and the suite's) win.
func (e *boxEngine) addRepoDatabaseEnv(env map[string]string, addr *net.TCPAddr) {
	if e.o.Mode != grading.ModeAdaptive || e.root == nil {
		return
	}
	cfg := e.repoConfig()
	settings := cfg.boxDatabaseEnv(addr, env)
	if rd := &e.repoDB; !rd.described {
		rd.described = true
		if len(settings) > 0 {
			rd.envLine = describeDatabaseEnv(settings, cfg.source)
		}
	}
	for _, s := range settings {
		env[s.name] = s.value
	}
}

// repoConfig is the repository's .env and compose files, read once per run
// (start detection and every Start's database settings use them); a file
// that does not parse is said once in a notice and counts as absent.
func (e *boxEngine) repoConfig() *repoConfig {
	if e.repoCfg == nil {
		cfg, err := readRepoConfig(e.root)
		if err != nil {
			e.card.Notices = append(e.card.Notices, fmt.Sprintf("configuration files not read: %v", err))
		}
		e.repoCfg = cfg
	}
	return e.repoCfg
}

// noteMappedLogins prices each distinct login the forward served the
// submission's own database instead, once per run. The settings passed from
// the repository's files are priced with the first one: they cost nothing
// when the service logged in with $DATABASE_URL after all.
func (e *boxEngine) noteMappedLogins(p *pgwire.Proxy) {
	rd := &e.repoDB
	for _, l := range p.Mapped() {
		if rd.loggedIn[l] {
			continue
		}
		if rd.loggedIn == nil {
			rd.loggedIn = map[pgwire.Login]bool{}
		}
		rd.loggedIn[l] = true
		if rd.envLine != "" {
			e.grader.Adapt(grading.SetupDatabase.ID, rd.envLine)
			rd.envLine = ""
		}
		e.grader.Adapt(grading.SetupDatabase.ID, fmt.Sprintf("logged in as %s to database %s: served your own database instead", l.User, l.Database))
	}
}
