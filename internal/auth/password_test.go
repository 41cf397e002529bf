package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// With every bcrypt slot taken, a sign-in waits only as long as its
// request does, then gives up with ErrBusy instead of adding to the load.
func TestPasswordChecksAreBoundedByCores(t *testing.T) {
	for range cap(bcryptSlots) {
		bcryptSlots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := CheckPassword(ctx, string(dummyHash), "assay-timing-equaliser")
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("check with every slot busy: %v, want ErrBusy", err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Fatalf("waited %v past its request's deadline", waited)
	}
	for range cap(bcryptSlots) {
		<-bcryptSlots
	}
	ok, err := CheckPassword(context.Background(), string(dummyHash), "assay-timing-equaliser")
	if err != nil || !ok {
		t.Fatalf("check with a free slot: %v %v", ok, err)
	}
}
