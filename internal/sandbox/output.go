package sandbox

import (
	"fmt"
	"sync"
)

// tailBuffer keeps the last max bytes written to it, so a flood of output costs a fixed
// amount of memory and the scorecard shows the end of the log, where errors are.
type tailBuffer struct {
	mu    sync.Mutex
	max   int
	buf   []byte // ring of capacity max once full
	start int    // index of the oldest byte once full
	total int64  // bytes written in all
}

func newTailBuffer(max int) *tailBuffer {
	if max <= 0 {
		max = DefaultLimits("").Output
	}
	return &tailBuffer{max: max}
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	t.total += int64(n)
	if len(p) >= t.max {
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		t.start = 0
		return n, nil
	}
	if room := t.max - len(t.buf); room > 0 {
		k := min(room, len(p))
		t.buf = append(t.buf, p[:k]...)
		p = p[k:]
	}
	for len(p) > 0 { // full: overwrite the oldest bytes
		k := copy(t.buf[t.start:], p)
		p = p[k:]
		t.start = (t.start + k) % t.max
	}
	return n, nil
}

// result returns the kept tail, prefixed with a note when bytes were dropped.
func (t *tailBuffer) result() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append(append([]byte{}, t.buf[t.start:]...), t.buf[:t.start]...)
	if t.total <= int64(len(out)) {
		return string(out), false
	}
	note := fmt.Sprintf("[output cut: only the last %d of %d bytes are kept]\n", len(out), t.total)
	if cut := len(note) + len(out) - t.max; cut > 0 && cut < len(out) {
		out = out[cut:] // the note counts against the limit too
	}
	return note + string(out), true
}
