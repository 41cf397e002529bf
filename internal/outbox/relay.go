// Package outbox hands work written to PostgreSQL to the queue. Changes and
// their tasks are written in one transaction (see store); the relay enqueues
// them on asynq with the row's task id, so a task handed over twice (a relay
// that crashed after enqueueing, before marking the row) still runs once.
// The sweeper requeues submissions and take-home checks the queue may have
// lost.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/hibiken/asynq"
)

// Store is what the relay and the sweeper need of the platform database.
type Store interface {
	RelayOutbox(ctx context.Context, limit int, send func(store.OutboxMessage) error) (int, error)
	RequeueStale(ctx context.Context, olderThan time.Duration) (int, error)
	RequeueStaleChecks(ctx context.Context, olderThan time.Duration) (int, error)
}

// Relay moves outbox rows to asynq.
type Relay struct {
	Store  Store
	Client *asynq.Client
	// Interval between polls when the outbox was empty; default 200 ms.
	Interval time.Duration
	// StaleAfter is how long a submission may stay queued before the sweeper
	// requeues it; default 10 minutes.
	StaleAfter time.Duration
}

const batchSize = 100

// Run relays until ctx ends. Failures (Redis down) are retried by the store's
// backoff; nothing is dropped.
func (r *Relay) Run(ctx context.Context) {
	interval := r.Interval
	if interval <= 0 {
		interval = 200 * time.Millisecond
	}
	stale := r.StaleAfter
	if stale <= 0 {
		stale = 10 * time.Minute
	}
	sweep := time.NewTicker(stale / 4)
	defer sweep.Stop()
	for {
		n, err := r.Store.RelayOutbox(ctx, batchSize, func(m store.OutboxMessage) error { return r.send(ctx, m) })
		if err != nil && ctx.Err() == nil {
			slog.Warn("outbox relay", "err", err)
		}
		wait := interval
		if n == batchSize {
			wait = 0 // more are waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-sweep.C:
			if k, err := r.Store.RequeueStale(ctx, stale); err != nil && ctx.Err() == nil {
				slog.Warn("outbox sweeper", "err", err)
			} else if k > 0 {
				slog.Info("outbox sweeper requeued stale submissions", "count", k)
			}
			if k, err := r.Store.RequeueStaleChecks(ctx, stale); err != nil && ctx.Err() == nil {
				slog.Warn("outbox sweeper", "err", err)
			} else if k > 0 {
				slog.Info("outbox sweeper requeued take-home checks the queue may have lost", "count", k)
			}
		case <-time.After(wait):
		}
	}
}

func (r *Relay) send(ctx context.Context, m store.OutboxMessage) error {
	task := asynq.NewTask(m.TaskType, m.Payload)
	opts := []asynq.Option{asynq.TaskID(m.TaskID), asynq.Queue(m.Queue), asynq.MaxRetry(10)}
	if d, ok := tasks.Timeouts[m.TaskType]; ok {
		opts = append(opts, asynq.Timeout(d))
	}
	_, err := r.Client.EnqueueContext(ctx, task, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil // already in the queue: handed over before
	}
	if err != nil {
		return fmt.Errorf("enqueue %s %s: %w", m.TaskType, m.TaskID, err)
	}
	return nil
}
