package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/simjob"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/hibiken/asynq"
)

// SimilarityTimeout bounds one similarity task: rebuilding a large group's
// index from stored fingerprints takes seconds; fetching a known solution is
// capped at 60 s by gitfetch; the first task of a group graded before
// similarity existed lexes every snapshot once.
const SimilarityTimeout = 20 * time.Minute

// HandleSimilarity routes the similarity tasks to the job.
func (w *Worker) HandleSimilarity(j *simjob.Job) {
	w.Handle(tasks.CompareSubmission, func(ctx context.Context, t *asynq.Task) error {
		var p tasks.SimilarityPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || p.SubmissionID == "" || p.Run < 1 {
			return fmt.Errorf("similarity task with a bad payload %q: %w", t.Payload(), asynq.SkipRetry)
		}
		ctx, cancel := context.WithTimeout(ctx, SimilarityTimeout)
		defer cancel()
		return j.CompareSubmission(ctx, p.SubmissionID, p.Run)
	})
	w.Handle(tasks.CompareKnownSolution, func(ctx context.Context, t *asynq.Task) error {
		var p tasks.KnownSolutionPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || p.KnownSolutionID == "" {
			return fmt.Errorf("known solution task with a bad payload %q: %w", t.Payload(), asynq.SkipRetry)
		}
		ctx, cancel := context.WithTimeout(ctx, SimilarityTimeout)
		defer cancel()
		return j.CompareKnownSolution(ctx, p.KnownSolutionID)
	})
}
