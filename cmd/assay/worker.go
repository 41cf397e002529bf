package main

import (
	"context"
	"log/slog"

	"github.com/assayhq/assay/internal/config"
	"github.com/assayhq/assay/internal/outbox"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/worker"
	"github.com/hibiken/asynq"
)

func init() {
	register("worker", "run the queue worker (grading, webhooks, mail) and the outbox relay", func(ctx context.Context, args []string) error {
		cfg, st, err := openStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		return runWorker(ctx, cfg, st)
	})
}

// runWorker relays the outbox and serves queued tasks until ctx ends.
func runWorker(ctx context.Context, cfg *config.Config, st *store.Store) error {
	ropt, err := redisOpt(cfg)
	if err != nil {
		return err
	}
	client := asynq.NewClient(ropt)
	defer client.Close()
	relay := &outbox.Relay{Store: st, Client: client}
	go relay.Run(ctx)
	w := worker.New(ropt, cfg.WorkerConcurrency)
	slog.Info("worker started", "concurrency", cfg.WorkerConcurrency)
	return w.Run(ctx)
}
