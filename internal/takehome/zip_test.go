package takehome

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

type zipEntry struct {
	name string
	data []byte
	mode fs.FileMode
}

func makeZip(t *testing.T, entries []zipEntry) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

func validEntries(prefix string) []zipEntry {
	var out []zipEntry
	for name, f := range bundleFS(validYAML) {
		out = append(out, zipEntry{name: prefix + name, data: f.Data})
	}
	return out
}

func TestLoadZip(t *testing.T) {
	for _, prefix := range []string{"", "demo/"} {
		// macOS's Compress adds __MACOSX/ and .DS_Store files: ignored.
		junk := []zipEntry{{name: "__MACOSX/" + prefix + "._takehome.yaml", data: []byte("x")}, {name: prefix + ".DS_Store", data: []byte("x")}}
		r := makeZip(t, append(validEntries(prefix), junk...))
		b, root, err := LoadZip(r, r.Size())
		if err != nil {
			t.Fatalf("prefix %q: %v", prefix, err)
		}
		if b.Slug != "demo" || b.FS() == nil {
			t.Fatalf("prefix %q: loaded %+v", prefix, b)
		}
		if _, err := fs.Stat(root, "reference/Procfile"); err != nil {
			t.Errorf("prefix %q: the reference is not in the bundle's root: %v", prefix, err)
		}
	}
}

func TestLoadZipRefuses(t *testing.T) {
	many := validEntries("")
	for i := range maxZipEntries {
		many = append(many, zipEntry{name: fmt.Sprintf("starter/f%d.txt", i)})
	}
	for _, tc := range []struct {
		name    string
		entries []zipEntry
		want    string
	}{
		{"a path out of the bundle", append(validEntries(""), zipEntry{name: "../evil.txt", data: []byte("x")}), `zip entry "../evil.txt": a path inside the bundle`},
		{"an absolute path", append(validEntries(""), zipEntry{name: "/etc/passwd", data: []byte("x")}), "a path inside the bundle"},
		{"a link", append(validEntries(""), zipEntry{name: "starter/link", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}), "is not a regular file"},
		{"too many entries", many, "the limit is 5000"},
		{"a file that unpacks past the limit", append(validEntries(""), zipEntry{name: "starter/zeros", data: make([]byte, maxUnpackedEntry+1)}), "unpacks past the limit"},
		{"no takehome.yaml", []zipEntry{{name: "a/BRIEF.md"}, {name: "b/BRIEF.md"}}, "no takehome.yaml at the zip's root or in its only top folder"},
		{"a bundle with a mistake", []zipEntry{{name: "takehome.yaml", data: []byte(strings.Replace(validYAML, "points: 30", "pionts: 30", 1))}, {name: "BRIEF.md"}, {name: "reference/Procfile"}},
			`takehome.yaml:21:5: unknown key "pionts"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := makeZip(t, tc.entries)
			_, _, err := LoadZip(r, r.Size())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
	if _, _, err := LoadZip(bytes.NewReader(nil), MaxZipBytes+1); err == nil || !strings.Contains(err.Error(), "the limit is 32 MiB") {
		t.Errorf("an upload above the limit: %v", err)
	}
}
