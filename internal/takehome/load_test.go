package takehome

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// validYAML is a small bundle every parser case starts from.
const validYAML = `slug: demo
title: Demo
version: "1"
ready_path: /items
values:
  name: "'item-' + rand_string('name', 6)"
variables:
  GREETING: "hello ${values.name}"
checks:
  - id: items.create
    title: POST /items creates an item
    category: endpoints
    points: 60
    steps:
      - http: {method: POST, path: /items, json: {name: "${values.name}"}, status: [200, 201]}
        expect: ["body.name == values.name"]
        capture: {id: body.id}
  - id: items.get
    title: GET /items/{id} returns it
    category: endpoints
    points: 30
    steps:
      - http: {method: GET, path: "/items/${captures.id}", status: 200}
`

func bundleFS(yaml string) fstest.MapFS {
	return fstest.MapFS{
		"takehome.yaml":          {Data: []byte(yaml)},
		"BRIEF.md":               {Data: []byte("# Demo\n")},
		"reference/Procfile":     {Data: []byte("web: ./bin/demo\n")},
		"variants/slow/Procfile": {Data: []byte("web: ./bin/demo\n")},
	}
}

func TestLoadValid(t *testing.T) {
	b, err := Load(bundleFS(validYAML))
	if err != nil {
		t.Fatal(err)
	}
	if b.Slug != "demo" || b.Reference.Dir != "reference" || len(b.Checks) != 5 || b.Checks[0].ID != "setup.procfile" {
		t.Fatalf("loaded %+v", b)
	}
	if err := b.Suite().Validate(); err != nil {
		t.Fatalf("the suite does not validate: %v", err)
	}
}

// TestLoadProblems: each mistake is reported at its line and column, with
// words that say what to change.
func TestLoadProblems(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string // validYAML with old replaced by new
		want     []string
	}{
		{"unknown top-level key", "ready_path: /items\n", "ready_path: /items\nreadypath: /x\n",
			[]string{`takehome.yaml:5:1: unknown key "readypath"`}},
		{"unknown key in a step", "status: 200}", "stauts: 200}",
			[]string{`takehome.yaml:23:60: unknown key "stauts"`}},
		{"wrong type", "points: 30", "points: thirty",
			[]string{"takehome.yaml:21:13:"}},
		{"points do not add up", "points: 30", "points: 20",
			[]string{"takehome.yaml:10:5: the checks' points add up to 80, want 90"}},
		{"bad category and duplicate id", "id: items.get\n    title: GET /items/{id} returns it\n    category: endpoints",
			"id: items.create\n    title: GET /items/{id} returns it\n    category: endpoint",
			[]string{`takehome.yaml:18:9: check items.create declared twice`, `takehome.yaml:20:15: check items.create: category "endpoint"`}},
		{"CEL syntax error", "body.name == values.name", "body.name === values.name",
			[]string{`takehome.yaml:16:18: expression "body.name === values.name":`}},
		{"expect that is not a bool", "body.name == values.name", "size(text)",
			[]string{`takehome.yaml:16:18: expression "size(text)" is a int, want bool`}},
		{"variable of the wrong scope", "body.name == values.name", "size(rows) > 0",
			[]string{`takehome.yaml:16:18: expression "size(rows) > 0": 1:6: undeclared reference to 'rows'`}},
		{"unclosed template", `"hello ${values.name}"`, `"hello ${values.name"`,
			[]string{"takehome.yaml:8:13: template \"hello ${values.name\": ${ without its closing }"}},
		{"capture never set", "${captures.id}", "${captures.ids}",
			[]string{"takehome.yaml:23:9: check items.get reads captures.ids, which no step before it captures"}},
		{"two kinds in a step", "      - http: {method: GET,", "      - sql: {query: SELECT 1}\n        http: {method: GET,",
			[]string{"takehome.yaml:23:9: a step has one kind, this one has sql and http"}},
		{"every problem at once", "points: 60\n    steps:\n      - http: {method: POST, path: /items, json: {name: \"${values.name}\"}, status: [200, 201]}\n        expect: [\"body.name == values.name\"]",
			"points: 50\n    steps:\n      - http: {method: POST, path: /items, json: {name: \"${values.name}\"}, status: [200, 201]}\n        expect: [\"body.name === values.name\"]",
			[]string{"takehome.yaml:10:5: the checks' points add up to 80, want 90", `takehome.yaml:16:18: expression "body.name === values.name"`}},
		{"a step kind without its settings", "      - http: {method: GET,", "      - exec:\n      - http: {method: GET,",
			[]string{"takehome.yaml:23:9: a exec step needs its settings"}},
		{"missing required keys", "slug: demo\ntitle: Demo\n", "",
			[]string{`missing required key "slug"`, `missing required key "title"`}},
		{"variant fails an unknown check", "checks:\n", "variants:\n  - {name: slow, path: variants/slow, fails: [items.nope]}\nchecks:\n",
			[]string{`takehome.yaml:10:47: variant slow: no check "items.nope"`}},
		{"variant folder missing", "checks:\n", "variants:\n  - {name: slow, path: variants/fast, fails: [items.get]}\nchecks:\n",
			[]string{`takehome.yaml:10:24: variant slow folder "variants/fast" is not in the bundle`}},
		{"bad duration", "checks:\n", "limits: {build: 10 minutes}\nchecks:\n",
			[]string{`takehome.yaml:9:17: "10 minutes" is not a positive duration such as "30s"`}},
		{"concurrent without a count", "      - http: {method: GET,", "      - concurrent: {request: {method: GET, path: /items}}\n        expect: [\"count == 1\"]\n      - http: {method: GET,",
			[]string{"takehome.yaml:23:21: check items.get: a concurrent step needs at_once, or rate and duration"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(validYAML, tc.old) {
				t.Fatalf("validYAML has no %q", tc.old)
			}
			_, err := Load(bundleFS(strings.Replace(validYAML, tc.old, tc.new, 1)))
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want a *LoadError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problems:\n%s\nwant one saying %q", err, w)
				}
			}
		})
	}
}

func TestLoadMissingFiles(t *testing.T) {
	fsys := bundleFS(validYAML)
	delete(fsys, "BRIEF.md")
	delete(fsys, "reference/Procfile")
	_, err := Load(fsys)
	for _, w := range []string{"BRIEF.md: the candidate's brief cannot be read", "reference/: no reference solution"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("got %v, want it to say %q", err, w)
		}
	}
}

// TestLoadNeverPanics: a bundle with any one line of the test bundle's
// takehome.yaml removed, or its value emptied, loads or says what is wrong.
func TestLoadNeverPanics(t *testing.T) {
	src, err := os.ReadFile("testdata/bundle/takehome.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		variants := []string{""}
		if k, _, ok := strings.Cut(l, ":"); ok {
			variants = append(variants, k+":")
		}
		for _, v := range variants {
			edited := slices.Clone(lines)
			edited[i] = v
			fsys := bundleFS(strings.Join(edited, "\n"))
			fsys["variants/flawed/Procfile"] = fsys["reference/Procfile"]
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("line %d as %q: Load panicked: %v", i+1, v, r)
					}
				}()
				Load(fsys)
			}()
		}
	}
}
