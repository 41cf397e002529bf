// Package worker runs the asynq server: it takes tasks from Redis and hands
// each to the domain package that does the work. Handlers stay thin.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/assayhq/assay/internal/tasks"
	"github.com/hibiken/asynq"
)

// Worker is one worker process's asynq server.
type Worker struct {
	srv *asynq.Server
	mux *asynq.ServeMux
	// retryDelays overrides asynq's default backoff per task type.
	retryDelays map[string]func(n int, err error) time.Duration
}

// New makes a worker that runs up to concurrency tasks at once.
func New(redis asynq.RedisConnOpt, concurrency int) *Worker {
	w := &Worker{mux: asynq.NewServeMux(), retryDelays: map[string]func(int, error) time.Duration{}}
	w.srv = asynq.NewServer(redis, asynq.Config{
		Concurrency: concurrency,
		Queues:      tasks.QueuePriorities,
		Logger:      slogLogger{},
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			id, _ := asynq.GetTaskID(ctx)
			slog.Warn("task failed", "type", t.Type(), "id", id, "err", err)
		}),
		RetryDelayFunc: func(n int, err error, t *asynq.Task) time.Duration {
			if f, ok := w.retryDelays[t.Type()]; ok {
				return f(n, err)
			}
			return asynq.DefaultRetryDelayFunc(n, err, t)
		},
	})
	return w
}

// Handle routes a task type to its handler.
func (w *Worker) Handle(taskType string, h asynq.HandlerFunc) { w.mux.HandleFunc(taskType, h) }

// Run serves tasks until ctx ends, then waits for running tasks to stop.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.srv.Start(w.mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	<-ctx.Done()
	w.srv.Shutdown()
	return nil
}

// slogLogger sends asynq's own messages to slog.
type slogLogger struct{}

func (slogLogger) Debug(args ...any) {}
func (slogLogger) Info(args ...any)  { slog.Info(fmt.Sprint(args...), "component", "asynq") }
func (slogLogger) Warn(args ...any)  { slog.Warn(fmt.Sprint(args...), "component", "asynq") }
func (slogLogger) Error(args ...any) { slog.Error(fmt.Sprint(args...), "component", "asynq") }
func (slogLogger) Fatal(args ...any) { slog.Error(fmt.Sprint(args...), "component", "asynq") }
