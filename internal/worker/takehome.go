package worker

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/assayhq/assay/internal/pipeline"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/hibiken/asynq"
)

// HandleTakehomeChecks routes takehome:check tasks to the checker (their
// time limit is the queue's, tasks.Timeouts). A check
// the engine could not run is retried; after the last retry the version is
// rejected saying why, so it never stays "checking" for ever.
func (w *Worker) HandleTakehomeChecks(c *pipeline.TakehomeChecker) {
	w.Handle(tasks.CheckTakehome, func(ctx context.Context, t *asynq.Task) error {
		var payload tasks.TakehomeCheckPayload
		if err := json.Unmarshal(t.Payload(), &payload); err != nil || payload.OrgID == "" || payload.VersionID == "" {
			return fmt.Errorf("take-home check task with a bad payload %q: %w", t.Payload(), asynq.SkipRetry)
		}
		err := c.Check(ctx, payload.OrgID, payload.VersionID)
		if err == nil {
			return nil
		}
		retried, _ := asynq.GetRetryCount(ctx)
		maxRetry, _ := asynq.GetMaxRetry(ctx)
		if retried >= maxRetry {
			if gerr := c.GiveUp(ctx, payload.OrgID, payload.VersionID, err); gerr != nil {
				return fmt.Errorf("%w (and recording it: %v)", err, gerr)
			}
			return nil
		}
		return err
	})
}
