package run

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/assayhq/assay/internal/sandbox"
)

// maxCauseLen bounds a root-cause line: it is a message, not a log.
const maxCauseLen = 300

// recogniser names one kind of failure from a phase's output: when re
// matches (its last match counts), cause turns the match into one line
// "cause: what to change". out is the whole (cleaned) output, for the
// recognisers that need more context than their own match.
type recogniser struct {
	re    *regexp.Regexp
	cause func(m []string, out string) string
}

// recognisers are tried in order, most specific first: a database login
// refused inside a Node error object must be named before the generic
// "Error: ..." line above the stack, a blocked download of a native module
// before npm's generic network failure.
var recognisers = []recogniser{
	// Databases: a login the server (or the forward) refused, a host that
	// does not resolve, a connection refused, TLS demanded.
	{regexp.MustCompile(`assay: only the submission's own database is reachable; connect with \$DATABASE_URL \(user "([^"]*)", database "([^"]*)"\)`),
		func(m []string, _ string) string {
			return fmt.Sprintf("the database refused the login: connect with $DATABASE_URL (user %q, database %q)", m[1], m[2])
		}},
	{regexp.MustCompile(`password authentication failed for user "?([^"\s]+)"?`),
		func(m []string, _ string) string {
			return fmt.Sprintf("the database refused the login as %q: connect with $DATABASE_URL (or PGHOST, PGUSER, PGPASSWORD, PGDATABASE)", m[1])
		}},
	{regexp.MustCompile(`(role|database) "([^"]+)" does not exist`),
		func(m []string, _ string) string {
			return fmt.Sprintf("the database has no %s %q: connect with $DATABASE_URL (or PGHOST, PGUSER, PGPASSWORD, PGDATABASE)", m[1], m[2])
		}},
	{regexp.MustCompile(`(?i)server does not support SSL|SSL is not enabled on the server`),
		func([]string, string) string {
			return "the database client demanded TLS, which the box's database does not offer: connect with $DATABASE_URL (sslmode=disable)"
		}},

	// Package downloads: a native module's prebuilt binary or headers,
	// then npm's own registry answers, then pip's.
	{regexp.MustCompile(`(?:request to|Tried to download\([^)]*\):|install\s+request to) (https?://[^\s'"]+)`), nativeDownload},
	{regexp.MustCompile(`npm (?:ERR!|error) 404 Not Found - GET (https?://[^\s]+)`),
		func(m []string, _ string) string {
			return fmt.Sprintf("npm: package %s is not in the registry %s (404): fix its name or version in package.json", packageOfURL(m[1]), hostOf(m[1]))
		}},
	{regexp.MustCompile(`npm (?:ERR!|error) 403 .*?GET (https?://[^\s]+)`),
		func(m []string, _ string) string {
			return fmt.Sprintf("npm: the download of %s from %s was refused (403): the box reaches only package registries; depend on registry packages", packageOfURL(m[1]), hostOf(m[1]))
		}},
	{regexp.MustCompile(`npm (?:ERR!|error) (?:network )?request to (https?://[^\s]+) failed, reason: (.+)`),
		func(m []string, _ string) string {
			return fmt.Sprintf("npm: %s could not be downloaded from %s (%s): the box reaches only package registries; depend on registry packages", packageOfURL(m[1]), hostOf(m[1]), strings.TrimSpace(m[2]))
		}},
	{regexp.MustCompile(`Could not find a version that satisfies the requirement (\S+)`),
		func(m []string, _ string) string {
			return fmt.Sprintf("pip: no version of %s could be downloaded from the package index: fix it in requirements.txt (the box reaches only package registries)", m[1])
		}},

	// Modules and commands that are not there.
	{regexp.MustCompile(`(?m)^(\S+?)(?:\((\d+),\d+\):| ?:(\d+):\d+ -) error TS2307: Cannot find module '([^']+)'`),
		func(m []string, _ string) string {
			line := m[2] + m[3]
			if isPath(m[4]) {
				return fmt.Sprintf("tsc: %s:%s imports %s, which does not exist: fix the import path", m[1], line, m[4])
			}
			return fmt.Sprintf("tsc: module %q is not installed (imported by %s:%s): add it, and its @types package if it has one, to package.json", m[4], m[1], line)
		}},
	{regexp.MustCompile(`Cannot find (?:module|package) '([^']+)'(?: imported from (\S+))?`), nodeModuleNotFound},
	{regexp.MustCompile(`ModuleNotFoundError: No module named '([^']+)'`),
		func(m []string, _ string) string {
			return fmt.Sprintf("Python module %q is not installed: add %s to requirements.txt", m[1], strings.Split(m[1], ".")[0])
		}},
	{regexp.MustCompile(`no required module provides package ([^\s;]+)`),
		func(m []string, _ string) string {
			return fmt.Sprintf("Go package %s is not in go.mod: run `go get %s` and commit go.mod and go.sum", m[1], m[1])
		}},
	{regexp.MustCompile(`(?m)^(?:sh|/bin/sh): (?:\d+: )?([^:\s]+): (?:command )?not found`),
		func(m []string, _ string) string {
			return fmt.Sprintf("command %s was not found: declare it as a dependency (npm ci installs devDependencies) or use a tool the box has", m[1])
		}},

	// Connections the service made that nothing answered.
	{regexp.MustCompile(`getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([^\s'",)]+)|could not translate host name "([^"]+)"|lookup ([^\s:]+)(?: on [^:]+)?: no such host`),
		func(m []string, _ string) string {
			return fmt.Sprintf("the host name %q does not resolve in the box: reach the database with $DATABASE_URL", m[1]+m[2]+m[3])
		}},
	{regexp.MustCompile(`connect ECONNREFUSED (\S+?)(?:$|\s|,)|port (\d+) failed: Connection refused|dial tcp ([^\s:]+:\d+): connect: connection refused`),
		func(m []string, _ string) string {
			addr := m[1] + m[3]
			if m[2] != "" {
				addr = "port " + m[2]
			}
			if strings.HasSuffix(addr, "5432") {
				return fmt.Sprintf("the database connection to %s was refused: connect with $DATABASE_URL", addr)
			}
			return fmt.Sprintf("the connection to %s was refused: nothing listens there in the box", addr)
		}},
	{regexp.MustCompile(`listen EADDRINUSE: address already in use (\S+)|\[Errno 98\] Address already in use|listen tcp (\S+): bind: address already in use`),
		func(m []string, _ string) string {
			addr := m[1] + m[2]
			if addr == "" {
				addr = "its port"
			} else if i := strings.LastIndexByte(addr, ':'); i >= 0 {
				addr = "port " + addr[i+1:]
			}
			return fmt.Sprintf("the address is already in use (%s): listen once, on $PORT", addr)
		}},

	// Crashes, by language: the line a person reads first.
	{regexp.MustCompile(`\[UnhandledPromiseRejection: .*?The promise rejected with the reason "(.*)"\.\]`),
		func(m []string, _ string) string {
			return fmt.Sprintf("unhandled promise rejection: %s: await the promise inside try/catch and fix its cause", m[1])
		}},
	{regexp.MustCompile(`(?m)^(panic: .+|fatal error: .+)$`),
		func(m []string, _ string) string { return m[1] }},
	{regexp.MustCompile(`(?m)^Traceback \(most recent call last\):\n(?:(?:[ \t].*)?\n)*(\S.*)$`),
		func(m []string, _ string) string { return m[1] }},
	{regexp.MustCompile(`(?m)^\s*((?:Uncaught )?[\w.$]*(?:Error|Exception|error)(?: \[\w+\])?: .+)\n\s+at `),
		func(m []string, _ string) string { return strings.TrimSpace(m[1]) }},
}

// nativeDownload names a native Node module whose prebuilt binary or Node
// headers could not be downloaded: the package from npm's "path" line, the
// host from the URL. Other failed requests are npm's own (later recogniser).
func nativeDownload(m []string, out string) string {
	p := lastMatch(npmPathLine, out)
	if p == nil || !nativeBuildLine.MatchString(out) {
		return ""
	}
	return fmt.Sprintf("%s could not be built: its download from %s was blocked (the box reaches only package registries); "+
		"it must compile from source with node-gyp (python3, make, g++ and the Node headers are in the box)", p[1], hostOf(m[1]))
}

var (
	nativeBuildLine = regexp.MustCompile(`(?m)\b(?:node-pre-gyp|prebuild-install|gyp) `)
	npmPathLine     = regexp.MustCompile(`(?m)npm (?:ERR!|error) path \S*node_modules/((?:@[^/\s]+/)?[^/\s]+)\s*$`)
)

// nodeModuleNotFound tells a missing start file (a build that did not run or
// wrote elsewhere) from a dependency that was not installed.
func nodeModuleNotFound(m []string, _ string) string {
	if isPath(m[1]) {
		return fmt.Sprintf("node: %s does not exist: check that the build writes it and that the start command runs that file", m[1])
	}
	if m[2] != "" {
		return fmt.Sprintf("node: package %q is not installed (imported from %s): add it to dependencies in package.json", m[1], m[2])
	}
	return fmt.Sprintf("node: module %q is not installed: add it to dependencies in package.json", m[1])
}

func isPath(module string) bool {
	return strings.HasPrefix(module, ".") || strings.HasPrefix(module, "/")
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return rawURL
	}
	return u.Hostname()
}

// packageOfURL is the npm package a registry URL names ("@types/node" from
// ".../@types%2fnode"), or the URL itself when it is not a registry path.
func packageOfURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	path, err := url.PathUnescape(u.EscapedPath())
	if err != nil {
		return rawURL
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case strings.HasPrefix(parts[0], "@") && len(parts) > 1:
		return parts[0] + "/" + parts[1]
	case len(parts) == 1 || len(parts) > 1 && parts[1] == "-":
		return parts[0]
	}
	return rawURL
}

// failureMessage is a failed phase's message: the root cause first, then
// what the sandbox saw, after what (the build command) when given. A limit
// the phase hit (time, memory, disk) is its own cause.
func failureMessage(r *sandbox.Result, what string) string {
	seen := r.Message
	if what != "" {
		seen = what + ": " + seen
	}
	if r.Cause != sandbox.CauseExited && r.Cause != sandbox.CauseSignaled {
		return seen
	}
	cause := rootCause(r.Output)
	if hosts := refusedHosts(r.Egress); hosts != "" && !strings.Contains(cause, "blocked") {
		cause = strings.TrimPrefix(cause+"; ", "; ") + "the box refused downloads from " + hosts + " (it reaches only package registries)"
	}
	if cause == "" {
		return seen
	}
	return cause + " (" + seen + ")"
}

// refusedHosts lists the hosts the build's egress proxy refused.
func refusedHosts(tunnels []sandbox.Tunnel) string {
	var hosts []string
	for _, t := range tunnels {
		if t.Refused != "" && !slices.Contains(hosts, t.Host) {
			hosts = append(hosts, t.Host)
		}
	}
	return strings.Join(hosts, ", ")
}

// rootCause is the one line that says why a phase failed: the first
// recogniser that matches, else the last line of the output that says
// something. "" when the output says nothing.
func rootCause(output string) string {
	if c := recognisedCause(output); c != "" {
		return c
	}
	return clip(lastMeaningfulLine(cleanOutput(output)))
}

// recognisedCause is the cause a recogniser names, "" when none matches: for
// a service that is still running, whose last line says nothing about why
// it did not become ready.
func recognisedCause(output string) string {
	out := cleanOutput(output)
	for _, r := range recognisers {
		if m := lastMatch(r.re, out); m != nil {
			if c := r.cause(m, out); c != "" {
				return clip(c)
			}
		}
	}
	return ""
}

func cleanOutput(s string) string {
	return ansiEscape.ReplaceAllString(strings.ReplaceAll(s, "\r\n", "\n"), "")
}

var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

func lastMatch(re *regexp.Regexp, s string) []string {
	all := re.FindAllStringSubmatch(s, -1)
	if len(all) == 0 {
		return nil
	}
	return all[len(all)-1]
}

// Lines that never say why something failed: stack frames, runtime banners,
// the properties of a printed error object, npm's pointers to its log.
var (
	noiseLine     = regexp.MustCompile(`^(?:at |Node\.js v|exit status \d+$|Require stack:|- /)`)
	objectProp    = regexp.MustCompile(`^\s+['"]?[\w$]+['"]?: .*$`)
	npmLine       = regexp.MustCompile(`^npm (?:ERR!|error|warn|WARN|notice)`)
	npmNoise      = regexp.MustCompile(`^(?:A complete log|/\S+\.log$|code \S+$|errno |syscall |path |command |signal |Lifecycle script|Error: command failed|in workspace|at location)`)
	goLogPrefix   = regexp.MustCompile(`^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? `)
	onlyPunctuate = "^~{}[]()<>,;: "
)

// lastMeaningfulLine is the fallback: the last line that is not noise,
// preferring the program's own lines to npm's summary of its failure.
func lastMeaningfulLine(out string) string {
	lines := strings.Split(out, "\n")
	pick := func(allowNPM bool) string {
		for i := len(lines) - 1; i >= 0; i-- {
			raw := lines[i]
			l := strings.TrimSpace(raw)
			if l == "" || noiseLine.MatchString(l) || objectProp.MatchString(raw) || strings.Trim(l, onlyPunctuate) == "" {
				continue
			}
			if npmLine.MatchString(l) {
				if !allowNPM {
					continue
				}
				l = strings.TrimSpace(npmLine.ReplaceAllString(l, ""))
				if l == "" || npmNoise.MatchString(l) {
					continue
				}
			}
			return goLogPrefix.ReplaceAllString(l, "")
		}
		return ""
	}
	if l := pick(false); l != "" {
		return l
	}
	return pick(true)
}

func clip(s string) string {
	if len(s) <= maxCauseLen {
		return s
	}
	cut := maxCauseLen
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
