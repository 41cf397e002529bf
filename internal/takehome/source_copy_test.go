package takehome

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// A variant folder holds only its flaw: copied, it is the reference with
// the variant's files in place of the reference's.
func TestVariantCopyIsTheReferenceWithItsFlaw(t *testing.T) {
	bundle := fstest.MapFS{
		"reference/server.js":         {Data: []byte("verify(); store();")},
		"reference/start.sh":          {Data: []byte("#!/bin/sh\nexec node server.js\n"), Mode: 0o755},
		"reference/lib/db.js":         {Data: []byte("pool")},
		"variants/unsigned/server.js": {Data: []byte("store();")},
	}
	dest := t.TempDir()
	src := Source{Dir: "variants/unsigned", Over: "reference"}
	if err := src.CopyTo(bundle, dest); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"server.js": "store();", "lib/db.js": "pool", "start.sh": "#!/bin/sh\nexec node server.js\n"} {
		got, err := os.ReadFile(filepath.Join(dest, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q (%v), want %q", name, got, err, want)
		}
	}
	if info, err := os.Stat(filepath.Join(dest, "start.sh")); err != nil || info.Mode().Perm()&0o111 == 0 {
		t.Errorf("start.sh lost its executable bit: %v %v", info, err)
	}
	if err := (Source{Repo: "https://example.com/r.git"}).CopyTo(bundle, t.TempDir()); err == nil {
		t.Error("a repository source was copied from the bundle")
	}
}
