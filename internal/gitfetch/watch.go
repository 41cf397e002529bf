package gitfetch

import (
	"context"
	"io/fs"
	"path/filepath"
	"sync"
	"time"
)

// watchInterval is how often a local fetch's size is measured.
const watchInterval = 100 * time.Millisecond

// watchSize enforces the size cap on local fetches, which have no
// connection for the meter to cut: it measures dir (the checkout's .git)
// periodically, records the size in m, and when it passes m.max marks m over
// and calls kill (which cancels git's context, killing its process group).
// It returns the function that stops watching.
func watchSize(ctx context.Context, dir string, m *meter, kill context.CancelCauseFunc) func() {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(watchInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			n := dirSize(dir)
			m.n.Store(n)
			if n > m.max {
				m.over.Store(true)
				kill(ErrTooLarge)
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			m.n.Store(dirSize(dir))
		})
	}
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
