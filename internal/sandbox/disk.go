package sandbox

import (
	"io/fs"
	"path/filepath"
	"syscall"
	"time"
)

// diskPollEvery is how often a phase's disk use is measured. The checkout lives on the
// host's file system, which has no per-directory quota, so the limit is enforced by
// measuring; RLIMIT_FSIZE caps any single file in between, and /tmp is a tmpfs whose
// size the kernel caps.
const diskPollEvery = time.Second

// diskUsage returns the bytes allocated under dir (like du), counting each inode once.
func diskUsage(dir string) int64 {
	var total int64
	seen := map[uint64]bool{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished or unreadable: the next poll sees the rest
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
