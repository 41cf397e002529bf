package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/tasks"
	"github.com/assayhq/assay/internal/webhooks"
	"github.com/hibiken/asynq"
)

// WebhookConcurrency is how many deliveries the dedicated webhook server
// runs at once: they wait on receivers (up to 10 s each), not on the CPU.
const WebhookConcurrency = 32

// HandleWebhooks routes webhook:deliver tasks to the sender, with its
// growing retry schedule (seconds to hours, about three days).
func (w *Worker) HandleWebhooks(s *webhooks.Sender) {
	w.Handle(tasks.DeliverWebhook, s.HandleTask)
	w.retryDelays[tasks.DeliverWebhook] = s.RetryDelay
}

// RunWebhookServer serves the webhooks queue alone until ctx ends, and
// sweeps for deliveries the queue lost. The main
// server runs as many tasks as there are cores, and grading runs hold
// those slots for minutes; deliveries get slots of their own here, so a
// receiver hears of an event in seconds whatever is being graded.
func RunWebhookServer(ctx context.Context, redis asynq.RedisConnOpt, s *webhooks.Sender) error {
	srv := asynq.NewServer(redis, asynq.Config{
		Concurrency:     WebhookConcurrency,
		Queues:          map[string]int{tasks.QueueWebhooks: 1},
		Logger:          slogLogger{},
		RetryDelayFunc:  func(n int, err error, _ *asynq.Task) time.Duration { return s.RetryDelay(n, err) },
		ShutdownTimeout: 12 * time.Second, // one attempt's 10 s and its record
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.DeliverWebhook, s.HandleTask)
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("start webhook server: %w", err)
	}
	go s.Sweep(ctx, 10*time.Minute)
	<-ctx.Done()
	srv.Shutdown()
	return nil
}
