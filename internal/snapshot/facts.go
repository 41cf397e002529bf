package snapshot

import (
	"encoding/json"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Facts are what a reviewer scans first, computed from the kept files.
type Facts struct {
	Files     int            `json:"files"`
	Lines     int            `json:"lines"`
	Languages []LanguageSize `json:"languages"` // most lines first
	TestFiles []string       `json:"test_files"`
	// Dependencies lists each manifest found and the packages it declares.
	Dependencies []Manifest `json:"dependencies"`
	Readme       string     `json:"readme,omitempty"` // the README's path, "" when there is none
}

// LanguageSize is one language's share of the kept files.
type LanguageSize struct {
	Name  string `json:"name"`
	Files int    `json:"files"`
	Lines int    `json:"lines"`
}

// Manifest is one dependency file and what it declares.
type Manifest struct {
	Path     string   `json:"path"`
	Packages []string `json:"packages"`
}

// languages by file extension: the take-homes' languages and what they carry.
var languages = map[string]string{
	".go": "Go", ".py": "Python", ".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript", ".jsx": "JavaScript",
	".ts": "TypeScript", ".tsx": "TypeScript", ".rb": "Ruby", ".java": "Java", ".kt": "Kotlin", ".rs": "Rust",
	".php": "PHP", ".cs": "C#", ".sql": "SQL", ".sh": "Shell", ".html": "HTML", ".css": "CSS",
	".md": "Markdown", ".json": "JSON", ".yaml": "YAML", ".yml": "YAML", ".toml": "TOML",
}

// testFile matches the test naming conventions of the take-homes' languages.
var testFile = regexp.MustCompile(`(^|/)(tests?|__tests__|spec)/|_test\.(go|py)$|(^|/)test_[^/]*\.py$|\.(test|spec)\.[cm]?[jt]sx?$`)

// Facts computes the facts of the kept files.
func (s *Snapshot) Facts() Facts {
	f := Facts{Files: len(s.Files), Languages: []LanguageSize{}, TestFiles: []string{}, Dependencies: []Manifest{}}
	byLang := map[string]*LanguageSize{}
	for _, file := range s.Files {
		lines := LineCount(file.Content)
		f.Lines += lines
		if name, ok := languages[strings.ToLower(path.Ext(file.Path))]; ok {
			l := byLang[name]
			if l == nil {
				l = &LanguageSize{Name: name}
				byLang[name] = l
			}
			l.Files++
			l.Lines += lines
		}
		if testFile.MatchString(file.Path) {
			f.TestFiles = append(f.TestFiles, file.Path)
		}
		if f.Readme == "" && !strings.Contains(file.Path, "/") && strings.HasPrefix(strings.ToLower(file.Path), "readme") {
			f.Readme = file.Path
		}
		if pkgs, ok := dependencies(path.Base(file.Path), file.Content); ok {
			f.Dependencies = append(f.Dependencies, Manifest{Path: file.Path, Packages: pkgs})
		}
	}
	for _, l := range byLang {
		f.Languages = append(f.Languages, *l)
	}
	sort.Slice(f.Languages, func(i, j int) bool {
		a, b := f.Languages[i], f.Languages[j]
		return a.Lines > b.Lines || a.Lines == b.Lines && a.Name < b.Name
	})
	return f
}

// LineCount is the number of lines of text as an editor numbers them.
func LineCount(s string) int {
	if s == "" {
		return 0
	}
	n := strings.Count(s, "\n")
	if !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}

// dependencies reads the packages a manifest declares; ok is false for a
// file that is no manifest. Parsing is deliberately shallow: names only.
func dependencies(base, content string) (pkgs []string, ok bool) {
	switch base {
	case "go.mod":
		return goModules(content), true
	case "package.json":
		return npmPackages(content), true
	case "requirements.txt":
		return requirements(strings.Split(content, "\n")), true
	case "pyproject.toml":
		return pyproject(content), true
	}
	return nil, false
}

func goModules(content string) []string {
	out := []string{}
	inBlock := false
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "require ("):
			inBlock = true
		case inBlock && line == ")":
			inBlock = false
		case inBlock && line != "" && !strings.HasPrefix(line, "//"):
			out = append(out, strings.Fields(line)[0])
		case strings.HasPrefix(line, "require "):
			if fields := strings.Fields(line); len(fields) >= 2 {
				out = append(out, fields[1])
			}
		}
	}
	return out
}

func npmPackages(content string) []string {
	var pj struct {
		Dependencies    map[string]any `json:"dependencies"`
		DevDependencies map[string]any `json:"devDependencies"`
	}
	out := []string{}
	if json.Unmarshal([]byte(content), &pj) != nil {
		return out
	}
	for name := range pj.Dependencies {
		out = append(out, name)
	}
	for name := range pj.DevDependencies {
		out = append(out, name+" (dev)")
	}
	sort.Strings(out)
	return out
}

// requirementName is the package name at the start of a requirement line.
var requirementName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*`)

func requirements(lines []string) []string {
	out := []string{}
	for _, line := range lines {
		line = strings.TrimSpace(strings.Trim(strings.TrimSpace(line), `",`))
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
			continue
		}
		if name := requirementName.FindString(line); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// pyproject reads [project] dependencies = [...] and the keys of
// [tool.poetry.dependencies], the two common ways to declare them.
func pyproject(content string) []string {
	out := []string{}
	section, inArray := "", false
	for _, line := range strings.Split(content, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case inArray:
			if strings.HasPrefix(t, "]") {
				inArray = false
				continue
			}
			out = append(out, requirements([]string{t})...)
		case strings.HasPrefix(t, "["):
			section = t
		case section == "[project]" && strings.HasPrefix(t, "dependencies"):
			rest := t[strings.Index(t, "=")+1:]
			if strings.Contains(rest, "]") { // all on one line
				inner := strings.Trim(strings.TrimSpace(rest), "[]")
				out = append(out, requirements(strings.Split(inner, ","))...)
			} else {
				inArray = true
			}
		case section == "[tool.poetry.dependencies]" && strings.Contains(t, "="):
			if name := strings.TrimSpace(t[:strings.Index(t, "=")]); name != "python" {
				out = append(out, name)
			}
		}
	}
	return out
}
