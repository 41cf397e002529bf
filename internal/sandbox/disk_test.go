package sandbox

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestDiskMeterStaysInTree: a build that keeps swapping a directory of its tree with a
// symlink to a large host directory is charged for its own files only: the meter, which
// runs as root, never walks the host directory.
func TestDiskMeterStaysInTree(t *testing.T) {
	tree := t.TempDir()
	dir, link := filepath.Join(tree, "d"), filepath.Join(tree, "l")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("own file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/usr", link); err != nil {
		t.Fatal(err)
	}
	own := diskUsage(tree)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := unix.Renameat2(unix.AT_FDCWD, dir, unix.AT_FDCWD, link, unix.RENAME_EXCHANGE); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	defer func() { close(stop); <-done }()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		if got := diskUsage(tree); got > own+1<<20 {
			t.Fatalf("charged %d bytes for a tree of %d: the meter walked /usr", got, own)
		}
	}
}
