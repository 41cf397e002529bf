package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/testenv"
	"github.com/go-redis/redis_rate/v10"
)

var testLimits = auth.Limits{
	Pair:    redis_rate.Limit{Rate: 1, Period: time.Minute, Burst: 3},
	Address: redis_rate.Limit{Rate: 1, Period: time.Minute, Burst: 10},
	Email:   redis_rate.Limit{Rate: 1, Period: time.Minute, Burst: 6},
}

func allow(t *testing.T, th *auth.Throttle, addr, email string) bool {
	t.Helper()
	ok, wait, err := th.Allow(context.Background(), addr, email)
	if err != nil {
		t.Fatal(err)
	}
	if !ok && wait <= 0 {
		t.Fatalf("refused without saying how long to wait")
	}
	return ok
}

// Two web processes share one throttle: attempts on one count on the other.
func TestThrottleIsSharedBetweenProcesses(t *testing.T) {
	rdb := testenv.NewRedisClient(t)
	one, two := auth.NewThrottle(rdb, "assay", testLimits), auth.NewThrottle(rdb, "assay", testLimits)
	for i, th := range []*auth.Throttle{one, two, one} {
		if !allow(t, th, "192.0.2.1", "a@acme.test") {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if allow(t, two, "192.0.2.1", "a@acme.test") {
		t.Fatal("the second process allowed a fourth attempt the first had counted towards")
	}
}

func TestThrottleLimitsPairAddressAndEmail(t *testing.T) {
	th := auth.NewThrottle(testenv.NewRedisClient(t), "assay", testLimits)
	for range 3 {
		allow(t, th, "192.0.2.1", "a@acme.test")
	}
	if allow(t, th, "192.0.2.1", "a@acme.test") {
		t.Fatal("pair over its limit allowed")
	}
	// The same account from elsewhere, and another account from here, go on.
	if !allow(t, th, "192.0.2.2", "a@acme.test") || !allow(t, th, "192.0.2.1", "b@acme.test") {
		t.Fatal("a locked pair locked out more than itself")
	}
	// Many addresses against one account meet the account's own limit
	// (6: three from .1, then .2, .3, .4).
	allow(t, th, "192.0.2.3", "a@acme.test")
	allow(t, th, "192.0.2.4", "a@acme.test")
	if allow(t, th, "192.0.2.5", "a@acme.test") {
		t.Fatal("account over its limit allowed from a new address")
	}
}

// A success forgets that address's failed attempts at that account: the
// owner's typos before signing in do not count against the next sign-in.
func TestThrottleForgetsTyposAfterSuccess(t *testing.T) {
	th := auth.NewThrottle(testenv.NewRedisClient(t), "assay", testLimits)
	for range 3 {
		allow(t, th, "192.0.2.1", "a@acme.test")
	}
	if err := th.Succeeded(context.Background(), "192.0.2.1", "a@acme.test"); err != nil {
		t.Fatal(err)
	}
	if !allow(t, th, "192.0.2.1", "a@acme.test") {
		t.Fatal("the owner's earlier typos still count after signing in")
	}
}
