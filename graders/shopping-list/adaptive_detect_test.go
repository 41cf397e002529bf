package shoppinglist

import (
	"os"
	"path/filepath"

	"github.com/assayhq/assay/internal/grading"
)

// Variants of the TypeScript solution written the way candidates often ship
// them: no Procfile, or a hard-coded port. An adaptive run builds and starts
// them by detection and prices that in the setup category alone; a strict
// run stops with the reason (contract §1a).
func init() {
	const startScript = `"build": "tsc",
    "start": "node dist/src/migrate.js && node dist/src/server.js"`
	noProcfile := func(dir string) error { return os.Remove(filepath.Join(dir, "Procfile")) }
	hardCodedPort := edit{"src/server.ts", ".listen(Number(process.env.PORT));", ".listen(3000);"}
	solutions = append(solutions,
		// The reference solution follows the brief: strict grades it the same.
		solution{name: "typescript-strict", base: "typescript", mode: grading.ModeStrict, status: grading.StatusGraded},
		solution{
			name: "typescript-no-procfile", base: "typescript", status: grading.StatusGraded,
			edits: []edit{{"package.json", `"build": "tsc"`, startScript}}, setup: noProcfile,
			failed:      []string{grading.SetupProcfile.ID},
			adaptations: []string{"no Procfile: started with `npm start` from package.json"},
		},
		solution{
			name: "typescript-no-procfile-strict", base: "typescript", mode: grading.ModeStrict,
			status: grading.StatusBuildFailed, says: "no Procfile",
			edits: []edit{{"package.json", `"build": "tsc"`, startScript}}, setup: noProcfile,
		},
		solution{
			name: "typescript-port-3000", base: "typescript", status: grading.StatusGraded,
			edits:       []edit{hardCodedPort},
			failed:      []string{grading.SetupPort.ID},
			adaptations: []string{"listened on 3000, not $PORT: checks sent to 3000"},
		},
		solution{
			name: "typescript-port-3000-strict", base: "typescript", mode: grading.ModeStrict,
			status: grading.StatusStartFailed, says: "listened on 3000",
			edits: []edit{hardCodedPort},
		},
		// A Go module without a Procfile whose binary migrates and serves
		// when run without arguments: built and started as the Go buildpack
		// does, through the sandboxed build with the warm Go cache.
		solution{
			name: "go-no-procfile", base: "go", status: grading.StatusGraded,
			edits: goStartsAlone, setup: noProcfile,
			failed:      []string{grading.SetupProcfile.ID},
			adaptations: []string{"no Procfile: built with `go build -o bin/shopping-list .`, started `./bin/shopping-list` (the main package .)"},
		},
		solution{
			name: "go-no-procfile-strict", base: "go", mode: grading.ModeStrict,
			status: grading.StatusBuildFailed, says: "no Procfile",
			edits: goStartsAlone, setup: noProcfile,
		},
		solution{
			// A NestJS-like layout: tsc without a build script or a start
			// script, dist/main.js its compiled entry, migrating as it starts.
			name: "tsc-layout-no-procfile", base: "typescript", status: grading.StatusGraded,
			edits: []edit{
				{"package.json", "\"scripts\": {\n    \"build\": \"tsc\"\n  },\n", ""},
				{"tsconfig.json", `"include": ["src/**/*.ts"`, `"include": ["main.ts", "src/**/*.ts"`},
			},
			setup: func(dir string) error {
				if err := noProcfile(dir); err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(dir, "main.ts"), []byte(nestLikeMain), 0o644)
			},
			failed:      []string{grading.SetupProcfile.ID},
			adaptations: []string{"no Procfile: built with `tsc` (tsconfig.json, no build script), started with `node dist/main.js` (tsc's output)"},
		},
	)
}

// goStartsAlone makes the Go solution's binary migrate, then serve, when
// it is run without a command.
var goStartsAlone = []edit{
	{"main.go", "\tif len(os.Args) != 2 {", "\tif len(os.Args) == 1 {\n\t\tos.Args = append(os.Args, \"start\")\n\t}\n\tif len(os.Args) != 2 {"},
	{"main.go", "\tcase \"serve\":\n\t\terr = serve(pool, os.Getenv(\"PORT\"))\n",
		"\tcase \"serve\":\n\t\terr = serve(pool, os.Getenv(\"PORT\"))\n\tcase \"start\":\n\t\tif err = migrate(ctx, pool); err == nil {\n\t\t\terr = serve(pool, os.Getenv(\"PORT\"))\n\t\t}\n"},
}

// nestLikeMain is the tsc layout's entry point: the migrations, then the
// server, in one process tree as `node dist/main.js` starts it.
const nestLikeMain = `import { execFileSync } from "node:child_process";
import path from "node:path";

execFileSync(process.execPath, [path.join(__dirname, "src", "migrate.js")], { stdio: "inherit" });
require("./src/server");
`
