package run

import (
	"strings"
	"testing"
)

// TestDetectedPlans: how each repository shape without a Procfile is built
// and started, and what the adaptation line says.
func TestDetectedPlans(t *testing.T) {
	const djangoManage = `import os
def main():
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')
`
	for _, tc := range []struct {
		name                string
		files               map[string]string
		build, release, web string
		line                string
	}{
		{
			name:  "npm start",
			files: map[string]string{"package.json": `{"scripts":{"start":"node dist/server.js","build":"tsc"}}`, "package-lock.json": "{}", "tsconfig.json": "{}"},
			build: "npm ci --no-audit --no-fund && npm run build", web: "npm start",
			line: "no Procfile: started with `npm start` from package.json",
		},
		{
			name:  "main of package.json",
			files: map[string]string{"package.json": `{"main":"src/app.js"}`, "src/app.js": ""},
			build: "npm install --no-audit --no-fund", web: "node src/app.js",
			line: "no Procfile: started with `node src/app.js` (main in package.json)",
		},
		{
			name:  "server.js",
			files: map[string]string{"package.json": `{}`, "server.js": "", "index.js": ""},
			build: "npm install --no-audit --no-fund", web: "node server.js",
			line: "no Procfile: started with `node server.js`",
		},
		{
			name:  "index.js",
			files: map[string]string{"package.json": `{"main":"missing.js"}`, "index.js": ""},
			build: "npm install --no-audit --no-fund", web: "node index.js",
		},
		{
			// NestJS-like: tsc without a build script, dist/main.js once built.
			name:  "tsc layout",
			files: map[string]string{"package.json": `{"devDependencies":{"typescript":"^5"}}`, "package-lock.json": "{}", "tsconfig.json": `{"compilerOptions":{"outDir":"./dist"}}`, "dist/main.js": ""},
			build: "npm ci --no-audit --no-fund && node_modules/.bin/tsc", web: "node dist/main.js",
			line: "no Procfile: built with `tsc` (tsconfig.json, no build script), started with `node dist/main.js` (tsc's output)",
		},
		{
			name:  "go main at the root",
			files: map[string]string{"go.mod": "module example.com/me/shop\n\ngo 1.22\n", "main.go": "// Command shop.\npackage main\n", "store.go": "package main\n"},
			build: "go build ./... && go build -o bin/shop .", web: "./bin/shop",
			line: "no Procfile: built with `go build -o bin/shop .`, started `./bin/shop` (the main package .)",
		},
		{
			name:  "go main in cmd",
			files: map[string]string{"go.mod": "module shop\n", "store/store.go": "package store\n", "cmd/api/main.go": "package main\n", "cmd/api/main_test.go": "package main\n"},
			build: "go build ./... && go build -o bin/api ./cmd/api", web: "./bin/api",
		},
		{
			name:    "django with gunicorn",
			files:   map[string]string{"requirements.txt": "django\ngunicorn\n", "manage.py": djangoManage, ".venv/bin/gunicorn": ""},
			build:   "python3 -m venv .venv && .venv/bin/pip install --disable-pip-version-check -r requirements.txt",
			release: "python3 manage.py migrate --noinput", web: "gunicorn shop.wsgi --bind 0.0.0.0:$PORT",
			line: "no Procfile: ran `python3 manage.py migrate --noinput` as release and started `gunicorn shop.wsgi --bind 0.0.0.0:$PORT`",
		},
		{
			name:    "django without gunicorn",
			files:   map[string]string{"requirements.txt": "django\n", "manage.py": djangoManage},
			build:   "python3 -m venv .venv && .venv/bin/pip install --disable-pip-version-check -r requirements.txt",
			release: "python3 manage.py migrate --noinput", web: "python3 manage.py runserver 0.0.0.0:$PORT --noreload",
		},
		{
			name:  "flask with gunicorn",
			files: map[string]string{"requirements.txt": "flask\ngunicorn\n", "wsgi.py": "from flask import Flask\napplication = Flask(__name__)\n", ".venv/bin/gunicorn": ""},
			build: "python3 -m venv .venv && .venv/bin/pip install --disable-pip-version-check -r requirements.txt",
			web:   "gunicorn wsgi:application --bind 0.0.0.0:$PORT",
			line:  "no Procfile: started `gunicorn wsgi:application --bind 0.0.0.0:$PORT` (Flask app in wsgi.py)",
		},
		{
			name:  "flask run",
			files: map[string]string{"pyproject.toml": "", "app.py": "from flask import Flask\napp = Flask(__name__)\n"},
			build: "python3 -m venv .venv && .venv/bin/pip install --disable-pip-version-check .",
			web:   "flask --app app:app run --host 0.0.0.0 --port $PORT",
		},
		{
			// Nixpacks' convention: a main.py that is no framework's app
			// serves by itself.
			name:  "python main.py",
			files: map[string]string{"requirements.txt": "", "main.py": "from http.server import ThreadingHTTPServer\n", "server.py": ""},
			build: "python3 -m venv .venv && .venv/bin/pip install --disable-pip-version-check -r requirements.txt",
			web:   "python3 main.py",
			line:  "no Procfile: started with `python3 main.py`",
		},
		{
			name:  "fastapi",
			files: map[string]string{"requirements.txt": "fastapi\nuvicorn\n", "app/main.py": "from fastapi import FastAPI\napi = FastAPI()\n", ".venv/bin/uvicorn": ""},
			build: "python3 -m venv .venv && .venv/bin/pip install --disable-pip-version-check -r requirements.txt",
			web:   "uvicorn app.main:api --host 0.0.0.0 --port $PORT",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := checkout(t, tc.files)
			build, buildSays := detectedBuild(root)
			if build != tc.build {
				t.Errorf("build %q, want %q", build, tc.build)
			}
			plan, err := detectStart(root)
			if err != nil {
				t.Fatalf("no plan: %v", err)
			}
			if plan.Release != tc.release || plan.Web != tc.web {
				t.Errorf("release %q, web %q; want %q, %q", plan.Release, plan.Web, tc.release, tc.web)
			}
			line := detectedProcfileLine("no Procfile", buildSays, plan)
			if tc.line != "" && line != tc.line {
				t.Errorf("line %q, want %q", line, tc.line)
			}
			if strings.Contains(line, "\n") {
				t.Errorf("line %q is not one line", line)
			}
		})
	}
}

// TestNoPlan: a shape detection does not know is told what was looked for.
func TestNoPlan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		says  string
	}{
		{"nothing", map[string]string{"README.md": "", "main.rb": ""}, "no package.json, go.mod, manage.py, Flask or FastAPI app (app.py, main.py, wsgi.py, server.py, app/main.py) or main.py"},
		{"node without entry", map[string]string{"package.json": `{"scripts":{"test":"jest"}}`}, "no start script"},
		{"go library", map[string]string{"go.mod": "module lib\n", "lib.go": "package lib\n"}, "no main package"},
		{"fastapi without uvicorn", map[string]string{"main.py": "app = FastAPI()\n"}, "uvicorn is not installed"},
		{"python without an app", map[string]string{"requirements.txt": "", "server.py": "print('hi')\n"}, "no package.json, go.mod, manage.py, Flask or FastAPI app (app.py, main.py, wsgi.py, server.py, app/main.py) or main.py"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := detectStart(checkout(t, tc.files))
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("plan %+v, error %v; want it to say %q", plan, err, tc.says)
			}
		})
	}
}
