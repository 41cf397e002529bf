package run

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"
)

// Procfile holds the commands of a submission (contract §1, Heroku convention).
type Procfile struct {
	Web, Release, Build string
}

// maxProcfileBytes bounds what is read of a candidate's Procfile.
const maxProcfileBytes = 64 << 10

var procLine = regexp.MustCompile(`^([A-Za-z0-9_-]+):\s*(.*)$`)

// The Procfile's two gaps an adaptive run fills by detection (detect.go);
// a strict run stops on them.
var (
	errNoProcfile = errors.New("no Procfile at the repository root: add one with a line \"web: <command that listens on $PORT>\"")
	errNoWebLine  = errors.New("the Procfile has no \"web:\" line: add one with the command that starts the service on $PORT")
)

// readProcfile reads the Procfile at the checkout's root. The error is a
// sentence for the candidate: errNoProcfile, errNoWebLine (with the lines
// the Procfile has), or why it could not be read.
func readProcfile(root *os.Root) (*Procfile, error) {
	b, err := readSmall(root, "Procfile", maxProcfileBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoProcfile
	}
	if err != nil {
		return nil, fmt.Errorf("the Procfile could not be read: %v", err)
	}
	p := &Procfile{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := procLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch m[1] {
		case "web":
			p.Web = m[2]
		case "release":
			p.Release = m[2]
		case "build":
			p.Build = m[2]
		}
	}
	if strings.TrimSpace(p.Web) == "" {
		return p, errNoWebLine
	}
	return p, nil
}

// buildCommand is the Procfile's build line, or the detected build (contract
// §1). Every detected stack is built, in a fixed order; "" means nothing to build.
func buildCommand(root *os.Root, p *Procfile) string {
	if p.Build != "" {
		return p.Build
	}
	var steps []string
	if exists(root, "package.json") {
		if exists(root, "package-lock.json") || exists(root, "npm-shrinkwrap.json") {
			steps = append(steps, "npm ci --no-audit --no-fund")
		} else {
			steps = append(steps, "npm install --no-audit --no-fund")
		}
		if hasNpmScript(root, "build") {
			steps = append(steps, "npm run build")
		}
	}
	if exists(root, "go.mod") {
		steps = append(steps, "go build ./...")
	}
	switch {
	case exists(root, "requirements.txt"):
		steps = append(steps, "python3 -m venv .venv", ".venv/bin/pip install --disable-pip-version-check -r requirements.txt")
	case exists(root, "pyproject.toml"):
		steps = append(steps, "python3 -m venv .venv", ".venv/bin/pip install --disable-pip-version-check .")
	}
	return strings.Join(steps, " && ")
}

// runCommand wraps a release or web command so that a Python virtualenv
// built by detection comes first on PATH.
func runCommand(root *os.Root, cmd string) string {
	if exists(root, ".venv/bin") {
		return `PATH="$PWD/.venv/bin:$PATH"; export PATH; ` + cmd
	}
	return cmd
}

func hasNpmScript(root *os.Root, name string) bool {
	b, err := readSmall(root, "package.json", 1<<20)
	if err != nil {
		return false
	}
	var pkg struct {
		Scripts map[string]string `json:"scripts"`
	}
	if json.Unmarshal(b, &pkg) != nil {
		return false
	}
	return pkg.Scripts[name] != ""
}

func exists(root *os.Root, name string) bool {
	_, err := root.Stat(name)
	return err == nil
}

func readSmall(root *os.Root, name string, max int64) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, max)
	}
	return b, nil
}
