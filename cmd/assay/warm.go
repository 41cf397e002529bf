package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/config"
)

func init() {
	register("warm", "make the warm Go cache now, if the newest is missing or stale (workers also do it)", runWarm)
}

// runWarm makes the warm Go cache a worker would make at start, so a host can have
// it before its first grading (in an image build, say).
func runWarm(ctx context.Context, args []string) error {
	if len(args) != 0 {
		return errors.New("usage: assay warm")
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	sb, err := openSandbox(cfg)
	if err != nil {
		return err
	}
	k := warmKeeper(cfg, sb)
	if k == nil {
		return errors.New("no warm cache to make: ASSAY_WARM_GO_CACHE is off or ASSAY_SANDBOX is unsafe-local")
	}
	start := time.Now()
	g, err := k.Ensure(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("warm Go cache: %s (made %s ago; this took %s)\n", g.Dir, time.Since(g.Built).Round(time.Second), time.Since(start).Round(time.Second))
	return nil
}
