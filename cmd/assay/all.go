package main

import (
	"context"
	"fmt"
	"io"

	"golang.org/x/sync/errgroup"
)

func init() {
	register("all", "run the web server and a worker in one process", func(ctx context.Context, args []string) error {
		cfg, st, err := openStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		// Migrations are cheap when there are none to apply, and a fresh
		// database must not serve errors.
		if err := st.Migrate(ctx, "up", io.Discard); err != nil {
			return err
		}
		fmt.Printf("Assay is up at %s (Ctrl-C stops it)\n", cfg.BaseURL)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		g, ctx := errgroup.WithContext(ctx)
		g.Go(func() error { defer cancel(); return serve(ctx, cfg, st) })
		g.Go(func() error { defer cancel(); return runWorker(ctx, cfg, st) })
		return g.Wait()
	})
}
