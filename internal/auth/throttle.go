package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle limits login attempts per client address and per email, so a
// password cannot be guessed quickly from one place or against one account.
// It is per process: each web process keeps its own counts.
type Throttle struct {
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	seen     map[string]time.Time
	perAddr  rate.Limit
	perEmail rate.Limit
	burst    int
}

// NewThrottle allows burst attempts at once, then one per interval, for each
// address and each email.
func NewThrottle(burst int, interval time.Duration) *Throttle {
	return &Throttle{
		limiters: map[string]*rate.Limiter{}, seen: map[string]time.Time{},
		perAddr: rate.Every(interval / 4), perEmail: rate.Every(interval), burst: burst,
	}
}

// Allow records an attempt; when it is over the limit it returns false and
// how long to wait.
func (t *Throttle) Allow(addr, email string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.forgetIdle(now)
	a := t.limiter("addr:"+addr, t.perAddr, t.burst*4, now)
	e := t.limiter("email:"+email, t.perEmail, t.burst, now)
	ra, re := a.ReserveN(now, 1), e.ReserveN(now, 1)
	wait := max(ra.DelayFrom(now), re.DelayFrom(now))
	if wait > 0 {
		ra.CancelAt(now)
		re.CancelAt(now)
		return false, wait
	}
	return true, 0
}

func (t *Throttle) limiter(key string, r rate.Limit, burst int, now time.Time) *rate.Limiter {
	l, ok := t.limiters[key]
	if !ok {
		l = rate.NewLimiter(r, burst)
		t.limiters[key] = l
	}
	t.seen[key] = now
	return l
}

// forgetIdle drops limiters unused for an hour, so memory stays bounded.
func (t *Throttle) forgetIdle(now time.Time) {
	if len(t.seen) < 10000 {
		return
	}
	for k, at := range t.seen {
		if now.Sub(at) > time.Hour {
			delete(t.seen, k)
			delete(t.limiters, k)
		}
	}
}
