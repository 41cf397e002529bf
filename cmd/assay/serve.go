package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/assayhq/assay/internal/api"
	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/config"
	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/redis/go-redis/v9"
)

func init() {
	register("serve", "run the HTTP server (API and dashboard)", func(ctx context.Context, args []string) error {
		cfg, st, err := openStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		return serve(ctx, cfg, st)
	})
}

// serve runs the web server until ctx ends.
func serve(ctx context.Context, cfg *config.Config, st *store.Store) error {
	if err := cfg.RequireSecret(); err != nil {
		return err
	}
	ropt, err := redisOpt(cfg)
	if err != nil {
		return err
	}
	inspector := asynq.NewInspector(ropt)
	defer inspector.Close()
	rdb := ropt.MakeRedisClient().(redis.UniversalClient)
	defer rdb.Close()
	var notices []string
	if cfg.AllowLoopback {
		notices = append(notices, "ASSAY_ALLOW_LOOPBACK is on: repositories on loopback hosts are accepted (development only)")
	}
	if cfg.Sandbox == "unsafe-local" {
		notices = append(notices, "ASSAY_SANDBOX=unsafe-local: candidate code runs without a sandbox (development only)")
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	tokens, policy := auth.NewTokens(cfg.SecretKey), intake.Policy{Hosts: cfg.GitHosts, AllowLoopback: cfg.AllowLoopback}
	// A submission's repository and ref are asked about the way the worker
	// will fetch them, before the submission is taken.
	policy.Probe = func(ctx context.Context, repoURL, ref string) error {
		return gitfetch.Probe(ctx, repoURL, ref, gitfetch.Options{AllowLoopbackHTTP: cfg.AllowLoopback, RunAs: probeUser()})
	}
	// One throttle for both sign-in routes (API and dashboard), so a guesser
	// gets no extra attempts by using the other, kept in Redis so every web
	// process shares it.
	throttle := auth.NewThrottle(rdb, "assay", auth.DefaultLimits)
	takehomes := builtinCatalog()
	if err := api.Register(r, api.Deps{
		Store: st, Tokens: tokens, Throttle: throttle,
		Intake:  policy,
		Catalog: takehomes, BaseURL: cfg.BaseURL, Notices: notices,
		SecretKey:      cfg.SecretKey,
		Production:     !cfg.Dev(),
		SecureCookie:   strings.HasPrefix(cfg.BaseURL, "https://"),
		Ready:          func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		Metrics:        api.NewMetrics(st, queueDepth(inspector)),
		QueueMonitor:   asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: ropt, ReadOnly: true}),
		TrustedProxies: cfg.TrustedProxies,
		MetricsToken:   cfg.MetricsToken,
		FetchBundle:    fetchBundle(cfg.AllowLoopback),
	}); err != nil {
		return fmt.Errorf("ASSAY_TRUSTED_PROXIES: %w", err)
	}
	if err := web.Register(r, web.Deps{
		Store: st, Tokens: tokens, Throttle: throttle, Intake: policy,
		Catalog: takehomes, BaseURL: cfg.BaseURL, SecretKey: cfg.SecretKey,
		SecureCookie: strings.HasPrefix(cfg.BaseURL, "https://"), MailEnabled: cfg.SMTPURL != "",
		Notices: notices, FetchBundle: fetchBundle(cfg.AllowLoopback),
	}); err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: r, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("web server listening", "addr", cfg.HTTPAddr, "url", cfg.BaseURL)
	select {
	case err := <-errc:
		return fmt.Errorf("listen on %s (ASSAY_HTTP_ADDR): %w", cfg.HTTPAddr, err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down web server: %w", err)
	}
	return nil
}

// queueDepth reads pending and scheduled task counts per queue from Redis.
func queueDepth(in *asynq.Inspector) api.QueueDepth {
	return func(ctx context.Context) (map[string]int, error) {
		qs, err := in.Queues()
		if err != nil {
			return nil, err
		}
		out := map[string]int{}
		for _, q := range qs {
			info, err := in.GetQueueInfo(q)
			if err != nil {
				return nil, err
			}
			out[q] = info.Pending + info.Scheduled + info.Retry
		}
		return out, nil
	}
}

// probeUser is who git runs as when the server asks a candidate's host about
// a repository: nobody when the server runs as root, never root itself.
func probeUser() *syscall.Credential {
	if os.Geteuid() != 0 {
		return nil
	}
	return &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}
}
