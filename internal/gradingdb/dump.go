package gradingdb

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"
)

// maxDump bounds the schema dump kept: a service can create tables without
// end, and the dump goes onto the scorecard.
const maxDump = 1 << 20

// dumpTimeout bounds pg_dump even when the caller's context does not.
const dumpTimeout = 2 * time.Minute

// DumpSchema returns `pg_dump --schema-only` of d, at most 1 MiB (a longer
// dump is cut, with a final comment saying so). It logs in as d's own role,
// like DirectURL, and waits at most 10 s for a table lock the service holds.
func (s *Server) DumpSchema(ctx context.Context, d *Database) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, dumpTimeout)
	defer cancel()
	u, err := url.Parse(s.DirectURL(d))
	if err != nil {
		return "", fmt.Errorf("gradingdb: dump %s: %w", d.Name, err)
	}
	u.User = url.User(d.User) // the password goes in the environment, not on the command line
	cmd := exec.CommandContext(ctx, "pg_dump", "--schema-only", "--no-owner", "--no-privileges",
		"--lock-wait-timeout=10s", "--dbname="+u.String())
	// Nothing of the worker's environment: only what pg_dump needs.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PGPASSWORD=" + d.Password, "PGCONNECT_TIMEOUT=10", "LC_ALL=C"}
	out := &capped{max: maxDump}
	var stderr capped
	stderr.max = 4096
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("gradingdb: pg_dump %s: %w: %s", d.Name, err, strings.TrimSpace(stderr.buf.String()))
	}
	dump := out.buf.String()
	if out.cut {
		dump += fmt.Sprintf("\n-- assay: schema dump cut at %d bytes\n", maxDump)
	}
	return dump, nil
}

// capped keeps the first max bytes written and drops the rest, so pg_dump
// runs to completion without its output growing in memory.
type capped struct {
	buf bytes.Buffer
	max int
	cut bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room < len(p) {
		c.cut = true
		c.buf.Write(p[:max(room, 0)])
	} else {
		c.buf.Write(p)
	}
	return len(p), nil
}
