package testenv

import (
	"archive/zip"
	"bytes"
	"sort"
)

// HelloBundle is a take-home bundle of one check, small enough to grade in
// seconds: its service is Python's static file server (no build), and the
// check asks GET /hello.txt for "hello". reference is the reference
// solution's hello.txt; "" leaves it out, so the reference fails the check.
func HelloBundle(slug, reference string) map[string]string {
	files := map[string]string{
		"takehome.yaml": `slug: ` + slug + `
title: Hello
version: "1"
ready_path: /
reference: reference/
checks:
  - id: hello.answers
    title: GET /hello.txt answers hello
    category: endpoints
    points: 90
    steps:
      - http: {method: GET, path: /hello.txt, status: 200}
        expect: ["text.startsWith('hello')"]
`,
		"BRIEF.md":             "# Hello\n\nServe `hello` at `/hello.txt`.\n",
		"starter/README.md":    "Start here.\n",
		"reference/Procfile":   "web: exec python3 -m http.server $PORT --bind 127.0.0.1\n",
		"reference/index.html": "hello\n",
	}
	if reference != "" {
		files["reference/hello.txt"] = reference
	}
	return files
}

// Zip packs files (slash-separated names → contents) into a zip, as a person
// zipping a bundle's folder would. Writing to memory cannot fail, so an
// error is a bug here: it panics.
func Zip(files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write([]byte(files[name]))
		}
		if err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
