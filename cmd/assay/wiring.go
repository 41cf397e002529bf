package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/assayhq/assay/graders"
	"github.com/assayhq/assay/internal/catalog"
	"github.com/assayhq/assay/internal/config"
	"github.com/assayhq/assay/internal/demo"
	"github.com/assayhq/assay/internal/gradingdb"
	"github.com/assayhq/assay/internal/sandbox"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/warmcache"
	"github.com/hibiken/asynq"
)

// openStore loads the configuration and connects to the platform database.
func openStore(ctx context.Context) (*config.Config, *store.Store, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, nil, err
	}
	var opts []store.Option
	if len(cfg.SecretKey) > 0 {
		opts = append(opts, store.WithSealKey(cfg.SecretKey))
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, opts...)
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}

func redisOpt(cfg *config.Config) (asynq.RedisConnOpt, error) {
	opt, err := asynq.ParseRedisURI(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("ASSAY_REDIS_URL: %w", err)
	}
	return opt, nil
}

// builtinCatalog is the built-in take-homes (graders.All) as the API and
// the dashboard list them.
func builtinCatalog() *catalog.Catalog {
	var ths []catalog.Takehome
	for _, s := range graders.All {
		ths = append(ths, catalog.Takehome{Slug: s.Slug, Title: s.Title, Version: s.Version, Brief: s.Brief, Starter: s.Starter})
	}
	return catalog.New(ths...)
}

func demoTakehomes() []demo.Takehome {
	var out []demo.Takehome
	for _, th := range builtinCatalog().Takehomes() {
		out = append(out, demo.Takehome{Slug: th.Slug, Title: th.Title, Version: th.Version})
	}
	return out
}

// openGrading sets up what grading needs on this machine: the sandbox
// (which refuses, naming what is missing, where the host cannot sandbox) and
// the grading PostgreSQL server.
func openGrading(ctx context.Context, cfg *config.Config) (*sandbox.Manager, *gradingdb.Server, error) {
	sb, err := openSandbox(cfg)
	if err != nil {
		return nil, nil, err
	}
	db, err := gradingdb.Open(ctx, cfg.GradingDatabaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("ASSAY_GRADING_DATABASE_URL: %w", err)
	}
	return sb, db, nil
}

// openSandbox probes the host for the sandbox, naming what is missing.
func openSandbox(cfg *config.Config) (*sandbox.Manager, error) {
	sb, err := sandbox.New(sandbox.Config{Mode: cfg.Sandbox, StateDir: cfg.StateDir, EgressHosts: cfg.BuildEgressHosts})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w (ASSAY_SANDBOX=unsafe-local runs without one, for development only)", err)
	}
	return sb, nil
}

// warmKeeper returns what keeps the warm Go cache boxes share (see package warmcache),
// or nil when it is turned off or there is no sandbox to share it with.
func warmKeeper(cfg *config.Config, sb *sandbox.Manager) *warmcache.Keeper {
	if !cfg.WarmGoCache || sb.Unsafe() {
		return nil
	}
	return &warmcache.Keeper{Dir: filepath.Join(cfg.StateDir, "warm"), Sandbox: sb}
}

// useWarmCache lends a one-off grading (assay grade, assay takehome check)
// the warm Go cache a worker on this host keeps, if there is one: it does not
// wait for one to be made.
func useWarmCache(cfg *config.Config, sb *sandbox.Manager) {
	if k := warmKeeper(cfg, sb); k != nil {
		if g, ok, err := k.Current(); err == nil && ok {
			sb.SetWarmCache(g.Dir)
		}
	}
}
