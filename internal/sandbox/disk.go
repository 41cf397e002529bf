package sandbox

import (
	"io/fs"
	"os"
	"syscall"
	"time"
)

// The checkout lives on the host's file system, which has no per-directory quota, so
// its disk limit is enforced by measuring; RLIMIT_FSIZE caps any single file in between,
// and /tmp is a tmpfs whose size the kernel caps.

// diskMeter measures a phase's disk use now and then. Walking a tree is not free (a
// node_modules has tens of thousands of files), so a slow walk is repeated less often:
// the meter spends at most about 5% of one CPU, and looks at least every second.
type diskMeter struct {
	limit int64
	usage func() int64 // bytes in use now
	next  time.Time
	hit   bool
}

const (
	diskPollMin   = time.Second
	diskPollShare = 20 // interval = 20 × the last walk's duration, at least diskPollMin
)

// exceeded reports whether the limit was passed, measuring when it is time to.
func (d *diskMeter) exceeded() bool {
	if d.hit || time.Now().Before(d.next) {
		return d.hit
	}
	start := time.Now()
	d.hit = d.usage() > d.limit
	d.next = time.Now().Add(max(diskPollMin, diskPollShare*time.Since(start)))
	return d.hit
}

// diskUsage returns the bytes allocated under dir (like du), counting each inode once.
// The sandbox changes the tree while root measures it: the walk goes through os.Root,
// which resolves every name inside dir and refuses one that leads out, so a directory
// swapped for a symlink to a host directory is never entered.
func diskUsage(dir string) int64 {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return 0
	}
	defer root.Close()
	var total int64
	seen := map[uint64]bool{}
	fs.WalkDir(root.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished, unreadable or leading out: the next measurement sees the rest
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		if st.Nlink > 1 {
			if seen[st.Ino] {
				return nil
			}
			seen[st.Ino] = true
		}
		total += st.Blocks * 512
		return nil
	})
	return total
}
