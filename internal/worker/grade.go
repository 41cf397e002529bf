package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/pipeline"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/hibiken/asynq"
)

// GradeTimeout bounds one grading run: the contract's phase limits (build
// 10 min, release 2 min per start, 60 s to listen per start, several
// starts) plus the checks. asynq's own 30-minute task timeout sits above it.
const GradeTimeout = 25 * time.Minute

// HandleGrading routes grade:submission tasks to the pipeline.
func (w *Worker) HandleGrading(p *pipeline.Pipeline) {
	w.Handle(tasks.GradeSubmission, func(ctx context.Context, t *asynq.Task) error {
		var payload tasks.GradePayload
		if err := json.Unmarshal(t.Payload(), &payload); err != nil || payload.SubmissionID == "" {
			return fmt.Errorf("grade task with a bad payload %q: %w", t.Payload(), asynq.SkipRetry)
		}
		ctx, cancel := context.WithTimeout(ctx, GradeTimeout)
		defer cancel()
		return p.Grade(ctx, payload.SubmissionID)
	})
	w.retryDelays[tasks.GradeSubmission] = func(n int, err error) time.Duration {
		if errors.Is(err, pipeline.ErrRetryLater) {
			return 15 * time.Second // another worker holds it; its lease runs out in 30 s
		}
		return asynq.DefaultRetryDelayFunc(n, err, nil)
	}
}
