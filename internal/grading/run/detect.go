package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
)

// Detection of how to build and start a repository that has no web line in a
// Procfile (adaptive runs, contract §1a), by the conventions of Heroku
// buildpacks and Nixpacks. The build is detected before it runs; the start
// after it, so that what the build made (dist/main.js, .venv/bin/gunicorn)
// decides the command.

// startPlan is a detected way to start the service: an optional release, the
// web command, and what was run, said in words for the adaptation line.
type startPlan struct {
	Release, Web string
	Says         string
}

// lookedFor names what detection looks for, in the order it looks.
const lookedFor = "no package.json, go.mod, manage.py, Flask or FastAPI app (app.py, main.py, wsgi.py, server.py, app/main.py) or main.py"

// detectedBuild is the build of a repository started by detection: the
// contract's build detection, plus what a buildpack adds to run it: tsc
// for a TypeScript project without a build script, the main package's
// binary for Go. says names the additions ("" when there are none).
func detectedBuild(root *os.Root) (cmd, says string) {
	steps := []string{}
	if c := buildCommand(root, &Procfile{}); c != "" {
		steps = append(steps, c)
	}
	var notes []string
	if exists(root, "package.json") && !hasNpmScript(root, "build") && exists(root, "tsconfig.json") {
		// The repository's own compiler, from its devDependencies: npx would
		// fetch the unrelated "tsc" package when typescript is missing.
		steps = append(steps, "node_modules/.bin/tsc")
		notes = append(notes, "built with `tsc` (tsconfig.json, no build script)")
	}
	if !exists(root, "package.json") && exists(root, "go.mod") {
		if pkg, bin, ok := goMainPackage(root); ok {
			c := "go build -o " + bin + " " + pkg
			steps = append(steps, c)
			notes = append(notes, "built with `"+c+"`")
		}
	}
	return strings.Join(steps, " && "), strings.Join(notes, ", ")
}

// detectStart finds how to start the built repository. The error says what
// was looked for, for the candidate.
func detectStart(root *os.Root) (startPlan, error) {
	switch {
	case exists(root, "package.json"):
		return nodeStart(root)
	case exists(root, "go.mod"):
		pkg, bin, ok := goMainPackage(root)
		if !ok {
			return startPlan{}, errors.New("go.mod but no main package at the root or in cmd/<name>")
		}
		return startPlan{Web: "./" + bin, Says: fmt.Sprintf("started `./%s` (the main package %s)", bin, pkg)}, nil
	case exists(root, "manage.py"):
		return djangoStart(root), nil
	}
	if p, ok, err := pythonAppStart(root); ok || err != nil {
		return p, err
	}
	if exists(root, "main.py") {
		// Nixpacks' Python convention: a main.py without a framework's app
		// is a program that serves by itself (http.server, say).
		return startPlan{Web: "python3 main.py", Says: "started with `python3 main.py`"}, nil
	}
	return startPlan{}, errors.New(lookedFor)
}

// nodeStart: scripts.start, else main, else server.js or index.js, else the
// compiled entry of a tsc build (outDir's main.js, index.js or server.js).
func nodeStart(root *os.Root) (startPlan, error) {
	var pkg struct {
		Main    string            `json:"main"`
		Scripts map[string]string `json:"scripts"`
	}
	b, err := readSmall(root, "package.json", 1<<20)
	if err != nil {
		return startPlan{}, fmt.Errorf("package.json could not be read: %v", err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return startPlan{}, fmt.Errorf("package.json is not valid JSON: %v", err)
	}
	if strings.TrimSpace(pkg.Scripts["start"]) != "" {
		return startPlan{Web: "npm start", Says: "started with `npm start` from package.json"}, nil
	}
	if m := path.Clean(strings.TrimSpace(pkg.Main)); pkg.Main != "" && exists(root, m) {
		return startPlan{Web: "node " + m, Says: "started with `node " + m + "` (main in package.json)"}, nil
	}
	for _, f := range []string{"server.js", "index.js"} {
		if exists(root, f) {
			return startPlan{Web: "node " + f, Says: "started with `node " + f + "`"}, nil
		}
	}
	if exists(root, "tsconfig.json") {
		out := tscOutDir(root)
		for _, f := range []string{"main.js", "index.js", "server.js"} {
			if p := path.Join(out, f); exists(root, p) {
				return startPlan{Web: "node " + p, Says: "started with `node " + p + "` (tsc's output)"}, nil
			}
		}
	}
	return startPlan{}, errors.New("package.json has no start script, and there is no main file, server.js, index.js or compiled main.js")
}

// tscOutDir is tsconfig.json's compilerOptions.outDir, "dist" when unset.
// tsconfig.json allows comments, which JSON does not: a file that does not
// parse gets the default.
func tscOutDir(root *os.Root) string {
	var cfg struct {
		CompilerOptions struct {
			OutDir string `json:"outDir"`
		} `json:"compilerOptions"`
	}
	if b, err := readSmall(root, "tsconfig.json", 1<<20); err == nil && json.Unmarshal(b, &cfg) == nil && cfg.CompilerOptions.OutDir != "" {
		return path.Clean(cfg.CompilerOptions.OutDir)
	}
	return "dist"
}

var (
	goPackageMain = regexp.MustCompile(`(?m)^package\s+main\b`)
	goModule      = regexp.MustCompile(`(?m)^module\s+(\S+)`)
)

// goMainPackage finds the main package: the root's, else the one
// cmd/<name> holds (the first by name). The binary goes to bin/<name>, as
// the Go buildpack puts it; name is the module's last element at the root.
func goMainPackage(root *os.Root) (pkg, bin string, ok bool) {
	if isGoMain(root, ".") {
		name := "app"
		if b, err := readSmall(root, "go.mod", 1<<20); err == nil {
			if m := goModule.FindSubmatch(b); m != nil {
				name = path.Base(string(m[1]))
			}
		}
		return ".", "bin/" + name, true
	}
	entries, err := fs.ReadDir(root.FS(), "cmd")
	if err != nil {
		return "", "", false
	}
	for _, d := range entries {
		if d.IsDir() && isGoMain(root, "cmd/"+d.Name()) {
			return "./cmd/" + d.Name(), "bin/" + d.Name(), true
		}
	}
	return "", "", false
}

// isGoMain reports whether dir holds a Go file of package main.
func isGoMain(root *os.Root, dir string) bool {
	entries, err := fs.ReadDir(root.FS(), dir)
	if err != nil {
		return false
	}
	for _, f := range entries {
		n := f.Name()
		if f.Type().IsRegular() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			if b, err := readSmall(root, path.Join(dir, n), 1<<20); err == nil && goPackageMain.Match(b) {
				return true
			}
		}
	}
	return false
}

var djangoSettings = regexp.MustCompile(`DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([A-Za-z0-9_]+)\.settings['"]`)

// djangoStart: migrate as release, then gunicorn on the project's WSGI app
// when it is installed, else Django's own server (without the reloader,
// which would fork a second server).
func djangoStart(root *os.Root) startPlan {
	p := startPlan{Release: "python3 manage.py migrate --noinput"}
	project := ""
	if b, err := readSmall(root, "manage.py", 1<<20); err == nil {
		if m := djangoSettings.FindSubmatch(b); m != nil {
			project = string(m[1])
		}
	}
	if project != "" && installed(root, "gunicorn") {
		p.Web = "gunicorn " + project + ".wsgi --bind 0.0.0.0:$PORT"
	} else {
		p.Web = "python3 manage.py runserver 0.0.0.0:$PORT --noreload"
	}
	p.Says = "ran `" + p.Release + "` as release and started `" + p.Web + "`"
	return p
}

// pythonAppModules are where Flask and FastAPI apps are looked for, in order.
var pythonAppModules = []string{"app.py", "main.py", "wsgi.py", "server.py", "app/main.py"}

var pythonApp = regexp.MustCompile(`(?m)^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(Flask|FastAPI)\(`)

// pythonAppStart finds a module that creates a Flask or FastAPI app and
// serves it with the installed server: uvicorn for FastAPI, gunicorn (else
// flask run) for Flask. ok is false when no module creates an app.
func pythonAppStart(root *os.Root) (p startPlan, ok bool, err error) {
	for _, file := range pythonAppModules {
		b, rerr := readSmall(root, file, 1<<20)
		if rerr != nil {
			continue
		}
		m := pythonApp.FindSubmatch(b)
		if m == nil {
			continue
		}
		target := strings.ReplaceAll(strings.TrimSuffix(file, ".py"), "/", ".") + ":" + string(m[1])
		switch {
		case string(m[2]) == "FastAPI" && installed(root, "uvicorn"):
			p.Web = "uvicorn " + target + " --host 0.0.0.0 --port $PORT"
		case string(m[2]) == "FastAPI":
			return startPlan{}, true, fmt.Errorf("a FastAPI app in %s, but uvicorn is not installed: add it to requirements.txt", file)
		case installed(root, "gunicorn"):
			p.Web = "gunicorn " + target + " --bind 0.0.0.0:$PORT"
		default:
			p.Web = "flask --app " + target + " run --host 0.0.0.0 --port $PORT"
		}
		p.Says = "started `" + p.Web + "` (" + string(m[2]) + " app in " + file + ")"
		return p, true, nil
	}
	return startPlan{}, false, nil
}

// installed reports whether the build installed a Python command into the
// repository's virtualenv.
func installed(root *os.Root, command string) bool {
	return exists(root, ".venv/bin/"+command)
}

// detectedProcfileLine is the adaptation line of a detected start: what was
// missing, then what was run.
func detectedProcfileLine(missing string, buildSays string, p startPlan) string {
	parts := slices.DeleteFunc([]string{buildSays, p.Says}, func(s string) bool { return s == "" })
	return missing + ": " + strings.Join(parts, ", ")
}
