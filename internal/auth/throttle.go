package auth

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Throttle limits sign-in attempts. Its counts live in Redis, so every web
// process serving an organisation sees the same ones: a guesser gains
// nothing by spreading attempts over processes. The limits are GCRA
// buckets (github.com/go-redis/redis_rate): one Lua script per check,
// atomic, no clean-up job, keys that expire by themselves once full again.
// A small INCR+EXPIRE scheme would count in fixed windows, letting twice
// the limit through at a window's edge.
type Throttle struct {
	limiter   *redis_rate.Limiter
	namespace string
	limits    Limits
}

// Limits are the three buckets an attempt draws from.
type Limits struct {
	// Pair is one address guessing one account's password: it locks only
	// that address out of that account, so the owner signing in from
	// anywhere else is not locked out with the guesser.
	Pair redis_rate.Limit
	// Address is one address trying many accounts (password spraying).
	Address redis_rate.Limit
	// Email is many addresses guessing one account. It is larger and
	// slower than Pair: the owner with the right password from a new
	// address still gets in while a single guesser is locked out, and a
	// guesser with many addresses gets a few dozen tries an hour, not more.
	Email redis_rate.Limit
}

// DefaultLimits are the limits `assay serve` uses.
var DefaultLimits = Limits{
	Pair:    redis_rate.Limit{Rate: 1, Period: time.Minute, Burst: 5},
	Address: redis_rate.Limit{Rate: 4, Period: time.Minute, Burst: 20},
	Email:   redis_rate.Limit{Rate: 1, Period: 5 * time.Minute, Burst: 30},
}

// NewThrottle keeps its counts in rdb under keys starting with namespace.
func NewThrottle(rdb redis.UniversalClient, namespace string, limits Limits) *Throttle {
	return &Throttle{limiter: redis_rate.NewLimiter(rdb), namespace: namespace, limits: limits}
}

// Allow records an attempt from addr for email; when it is over a limit it
// returns false and how long to wait. The buckets are checked from the
// narrowest out and the first refusal stops, so a guesser locked out of
// one account spends nothing of that account's shared allowance.
func (t *Throttle) Allow(ctx context.Context, addr, email string) (bool, time.Duration, error) {
	for _, b := range []struct {
		key   string
		limit redis_rate.Limit
	}{
		{"pair:" + addr + "|" + email, t.limits.Pair},
		{"addr:" + addr, t.limits.Address},
		{"email:" + email, t.limits.Email},
	} {
		res, err := t.limiter.Allow(ctx, t.namespace+":login:"+b.key, b.limit)
		if err != nil {
			slog.Error("sign-in throttle unreachable; refusing sign-ins", "err", err)
			return false, 0, fmt.Errorf("%w (throttle: %v)", ErrUnavailable, err)
		}
		if res.Allowed == 0 {
			return false, res.RetryAfter, nil
		}
	}
	return true, 0, nil
}

// Succeeded forgets the address's failed attempts at the account, so the
// owner's own typos before a successful sign-in do not count later.
func (t *Throttle) Succeeded(ctx context.Context, addr, email string) error {
	if err := t.limiter.Reset(ctx, t.namespace+":login:pair:"+addr+"|"+email); err != nil {
		return fmt.Errorf("sign-in throttle: %w", err)
	}
	return nil
}
