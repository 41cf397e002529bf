// Package worker runs the asynq server: it takes tasks from Redis and hands
// each to the domain package that does the work. Handlers stay thin.
package worker

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"
)

// Queue names and their priorities: webhooks go first (receivers wait on
// them), then grading, then regrades (a reviewer's afterthought).
const (
	QueueWebhooks = "webhooks"
	QueueGrading  = "grading"
	QueueRegrade  = "regrade"
	QueueDefault  = "default"
)

// Queues maps each queue to its weight.
var Queues = map[string]int{QueueWebhooks: 6, QueueGrading: 3, QueueDefault: 2, QueueRegrade: 1}

// Worker is one worker process's asynq server.
type Worker struct {
	srv *asynq.Server
	mux *asynq.ServeMux
}

// New makes a worker that runs up to concurrency tasks at once.
func New(redis asynq.RedisConnOpt, concurrency int) *Worker {
	srv := asynq.NewServer(redis, asynq.Config{
		Concurrency: concurrency,
		Queues:      Queues,
		Logger:      slogLogger{},
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			id, _ := asynq.GetTaskID(ctx)
			slog.Warn("task failed", "type", t.Type(), "id", id, "err", err)
		}),
	})
	return &Worker{srv: srv, mux: asynq.NewServeMux()}
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
