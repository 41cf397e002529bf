package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/assayhq/assay/graders"
	"github.com/assayhq/assay/internal/config"
	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/greenhouse"
	"github.com/assayhq/assay/internal/outbox"
	"github.com/assayhq/assay/internal/pipeline"
	"github.com/assayhq/assay/internal/simjob"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/assayhq/assay/internal/webhooks"
	"github.com/assayhq/assay/internal/worker"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
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

// leftoverAge is how old a per-submission database must be before a
// starting worker drops it as a leftover: older than any grading run.
const leftoverAge = worker.GradeTimeout + 5*time.Minute

// runWorker relays the outbox and serves queued tasks until ctx ends.
func runWorker(ctx context.Context, cfg *config.Config, st *store.Store) error {
	if err := cfg.RequireSecret(); err != nil {
		return err
	}
	ropt, err := redisOpt(cfg)
	if err != nil {
		return err
	}
	sb, gdb, err := openGrading(ctx, cfg)
	if err != nil {
		return err
	}
	if err := sb.CleanupLeftovers(ctx); err != nil {
		slog.Warn("sandbox leftovers", "err", err)
	}
	if err := gdb.CleanupLeftovers(ctx, leftoverAge); err != nil {
		slog.Warn("database leftovers", "err", err)
	}
	if k := warmKeeper(cfg, sb); k != nil {
		go k.Run(ctx) // gradings start at once; Go builds are warm once it is ready
	}
	if n, err := st.SealWebhookSecrets(ctx); err != nil {
		slog.Warn("seal webhook signing secrets", "err", err)
	} else if n > 0 {
		slog.Info("sealed webhook signing secrets stored in clear", "endpoints", n)
	}
	client := asynq.NewClient(ropt)
	defer client.Close()
	relay := &outbox.Relay{Store: st, Client: client}
	go relay.Run(ctx)

	host, _ := os.Hostname()
	w := worker.New(ropt, cfg.WorkerConcurrency)
	fetch := gitfetch.Options{AllowLoopbackHTTP: cfg.AllowLoopback}
	w.HandleGrading(&pipeline.Pipeline{
		Store: st, Suites: graders.All, Sandbox: sb, DB: gdb,
		Fetch:   fetch,
		Owner:   fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano()),
		Metrics: pipeline.NewMetrics(prometheus.DefaultRegisterer),
	})
	engine := &pipeline.BundleEngine{Sandbox: sb, DB: gdb, Fetch: fetch}
	w.HandleTakehomeChecks(&pipeline.TakehomeChecker{Store: st, Grade: engine.GradeFunc})
	w.HandleSimilarity(&simjob.Job{Store: st, Catalog: builtinCatalog(),
		Fetch: simjob.GitFetcher{Options: gitfetch.Options{AllowLoopbackHTTP: cfg.AllowLoopback}, Sandbox: sb}})
	mailer, err := newDeliverer(cfg, st)
	if err != nil {
		return err
	}
	w.Handle(tasks.SendMail, mailer.HandleTask)
	partner := &greenhouse.Partner{Store: st, BaseURL: cfg.BaseURL, SecretKey: cfg.SecretKey, AllowLoopback: cfg.AllowLoopback}
	sender := &webhooks.Sender{
		Store: st, BaseURL: cfg.BaseURL, AllowLoopback: cfg.AllowLoopback,
		Client:    webhooks.NewClient(webhooks.ClientConfig{AllowLoopback: cfg.AllowLoopback}),
		Callbacks: map[string]webhooks.Callback{store.CallbackGreenhouse: partner.CompletionRequest},
	}
	w.HandleWebhooks(sender)
	go func() {
		if err := worker.RunWebhookServer(ctx, ropt, sender); err != nil {
			slog.Error("webhook server", "err", err)
		}
	}()
	go mailer.RemindEvery(ctx, time.Minute)
	go partner.CompleteExpiredEvery(ctx, time.Minute)
	slog.Info("worker started", "concurrency", cfg.WorkerConcurrency, "sandbox", cfg.Sandbox)
	return w.Run(ctx)
}
