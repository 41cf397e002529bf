// Package pipeline grades one queued submission end to end: it claims the
// submission (so a task delivered twice grades once), runs the take-home's
// suite through the grading runner with progress written to the store, keeps
// a heartbeat that notices cancellation and lost leases, and stores the
// scorecard. The asynq handler in internal/worker only calls Grade.
//
// It sits between worker and grading (the architecture map has the worker do
// this itself) so that the whole path is testable without a queue.
package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/run"
	"github.com/assayhq/assay/internal/gradingdb"
	"github.com/assayhq/assay/internal/sandbox"
	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/takehome"
)

// Store is what grading a submission needs of the platform database: a
// worker's claim on the submission, from first phase to result.
type Store interface {
	ClaimSubmission(ctx context.Context, id, owner string, lease time.Duration) (*store.GradeJob, error)
	RenewLease(ctx context.Context, id, owner string, lease time.Duration) (string, error)
	SetSubmissionPhase(ctx context.Context, id, owner, status string) error
	FinishGrading(ctx context.Context, id, owner string, r store.GradeResult) error
	ReleaseSubmission(ctx context.Context, id, owner string) error
	// TakehomeBundle reads the pinned version of an organisation's own take-home.
	TakehomeBundle(ctx context.Context, orgID, versionID string) (*store.TakehomeVersion, error)
}

// Pipeline holds what grading a submission needs.
type Pipeline struct {
	Store   Store
	Suites  map[string]*grading.Suite
	Sandbox *sandbox.Manager
	DB      *gradingdb.Server
	Fetch   gitfetch.Options
	// Owner names this worker process in leases; unique per process.
	Owner string
	// Lease is how long a claim holds without a heartbeat (default 30 s);
	// a crashed worker's submission is taken over after it.
	Lease   time.Duration
	Metrics *Metrics
}

// ErrRetryLater asks the queue to deliver the task again later.
var ErrRetryLater = errors.New("retry later")

// Grade grades one submission. A finished submission is left alone; one a
// live worker holds gives ErrRetryLater.
func (p *Pipeline) Grade(ctx context.Context, submissionID string) error {
	lease := p.lease()
	job, err := p.Store.ClaimSubmission(ctx, submissionID, p.Owner, lease)
	switch {
	case errors.Is(err, store.ErrFinished), errors.Is(err, store.ErrNotFound):
		return nil
	case errors.Is(err, store.ErrBusy):
		return fmt.Errorf("%w: %v", ErrRetryLater, err)
	case err != nil:
		return err
	}
	log := slog.With("submission", submissionID, "takehome", job.Assessment.Takehome)
	if p.Metrics != nil {
		p.Metrics.queueLatency.Observe(time.Since(job.Submission.UpdatedAt).Seconds())
	}
	started := time.Now()

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	hbDone := make(chan struct{})
	go func() { defer close(hbDone); p.heartbeat(runCtx, cancel, submissionID, lease) }()

	suite, opts, err := p.suite(runCtx, job)
	var result store.GradeResult
	if err != nil {
		result = store.GradeResult{Status: store.StatusError, Takehome: job.Assessment.Takehome, Message: err.Error()}
	} else {
		result = p.run(runCtx, suite, opts, job)
	}
	cancel(nil)
	<-hbDone

	switch cause := context.Cause(runCtx); {
	case errors.Is(cause, errCanceledByUser):
		log.Info("grading canceled")
	case errors.Is(cause, errLeaseLost):
		log.Warn("lease lost; another worker took over")
		return nil
	case ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded):
		// The worker is shutting down: hand the submission back untouched.
		rel, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer stop()
		if err := p.Store.ReleaseSubmission(rel, submissionID, p.Owner); err != nil {
			log.Error("release interrupted submission", "err", err)
		}
		return fmt.Errorf("%w: worker shutting down", ErrRetryLater)
	}
	if err := p.finish(ctx, submissionID, result); err != nil {
		if errors.Is(err, store.ErrBusy) {
			return nil
		}
		return fmt.Errorf("store result of %s: %w", submissionID, err)
	}
	if p.Metrics != nil {
		p.Metrics.outcomes.WithLabelValues(result.Status).Inc()
		p.Metrics.total.Observe(time.Since(started).Seconds())
	}
	log.Info("submission graded", "status", result.Status, "score", result.Score, "took", time.Since(started).Round(time.Millisecond))
	return nil
}

// finishPatience is how long a result is retried against a database that
// went away (a restart): a scorecard is too dear to drop at the first error.
const finishPatience = 2 * time.Minute

// finish stores the result, retrying while the platform database is down.
func (p *Pipeline) finish(ctx context.Context, id string, r store.GradeResult) error {
	ctx, stop := context.WithTimeout(context.WithoutCancel(ctx), finishPatience)
	defer stop()
	wait := 250 * time.Millisecond
	for {
		err := p.Store.FinishGrading(ctx, id, p.Owner, r)
		if err == nil || errors.Is(err, store.ErrBusy) || errors.Is(err, store.ErrNotFound) {
			return err
		}
		slog.Warn("store grading result; retrying", "submission", id, "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(wait*2, 10*time.Second)
	}
}

func (p *Pipeline) lease() time.Duration {
	if p.Lease > 0 {
		return p.Lease
	}
	return 30 * time.Second
}

// suite is the take-home the submission's assessment grades with: a
// built-in suite of this worker, or the bundle of the version of the
// organisation's own take-home it pins (with the bundle's phase limits in
// the options), read from the assessment's organisation only.
func (p *Pipeline) suite(ctx context.Context, job *store.GradeJob) (*grading.Suite, run.Options, error) {
	as := job.Assessment
	if as.TakehomeVersionID == nil {
		suite, ok := p.Suites[as.Takehome]
		if !ok || suite.Version != as.SuiteVersion {
			return nil, run.Options{}, fmt.Errorf("take-home %s version %s is not available on this worker", as.Takehome, as.SuiteVersion)
		}
		return suite, run.Options{}, nil
	}
	v, err := p.Store.TakehomeBundle(ctx, as.OrgID, *as.TakehomeVersionID)
	if err != nil {
		return nil, run.Options{}, fmt.Errorf("take-home %s: its pinned version could not be read: %w", as.Takehome, err)
	}
	b, _, err := takehome.LoadZip(bytes.NewReader(v.Bundle), int64(len(v.Bundle)))
	if err != nil {
		return nil, run.Options{}, fmt.Errorf("take-home %s version %d no longer loads: %w", as.Takehome, v.Number, err)
	}
	return b.Suite(), BundleRunOptions(b), nil
}

// run grades with the runner and turns its scorecard into the store's result;
// opts carries a bundle's phase limits.
func (p *Pipeline) run(ctx context.Context, suite *grading.Suite, opts run.Options, job *store.GradeJob) store.GradeResult {
	id := job.Submission.ID
	prefix := strings.ReplaceAll(id, "-", "")[:12]
	if job.Run > 1 {
		// An earlier run may have died holding a sandbox and databases.
		if err := p.DB.DropPrefix(ctx, prefix); err != nil {
			slog.Warn("drop an earlier run's databases", "submission", id, "err", err)
		}
		if err := p.Sandbox.CleanupLeftovers(ctx); err != nil {
			slog.Warn("remove dead sandboxes", "submission", id, "err", err)
		}
	}
	var code *snapshot.Snapshot
	card, err := run.Run(ctx, run.Options{
		Suite: suite, RepoURL: job.Submission.RepoURL, Ref: job.Submission.Ref,
		Sandbox: p.Sandbox, DB: p.DB, Fetch: p.Fetch, Label: fmt.Sprintf("%sr%d", prefix, job.Run),
		Mode:   job.Assessment.GradingMode,
		Limits: opts.Limits, ReadyTimeout: opts.ReadyTimeout,
		OnSnapshot: func(s *snapshot.Snapshot) { code = s },
		OnPhase: func(phase string) {
			if status := statusOfPhase(phase); status != "" {
				if err := p.Store.SetSubmissionPhase(context.WithoutCancel(ctx), id, p.Owner, status); err != nil {
					slog.Warn("record phase", "submission", id, "phase", phase, "err", err)
				}
			}
		},
	})
	res := store.GradeResult{Takehome: suite.Slug, SuiteVersion: suite.Version, Code: code}
	if err != nil {
		res.Status = store.StatusError
		res.Message = "the grader failed: " + err.Error()
		if deadline, ok := ctx.Deadline(); ok && ctx.Err() != nil {
			res.Message = fmt.Sprintf("grading was stopped at its time limit (%s)", deadline.Sub(job.Submission.UpdatedAt).Round(time.Minute))
		}
		return res
	}
	if p.Metrics != nil {
		for _, ph := range card.Phases {
			p.Metrics.phaseDuration.WithLabelValues(phaseFamily(ph.Name)).Observe(float64(ph.DurationMS) / 1000)
		}
	}
	raw, err := json.Marshal(card)
	if err != nil {
		res.Status, res.Message = store.StatusError, "the scorecard could not be encoded: "+err.Error()
		return res
	}
	res.Status, res.Score, res.MaxScore, res.CommitSHA, res.Scorecard = card.Status, card.Score, card.MaxScore, card.Commit, raw
	if card.Status != grading.StatusGraded {
		res.Message = failureSummary(card)
	}
	return res
}

var (
	errCanceledByUser = errors.New("canceled by a reviewer")
	errLeaseLost      = errors.New("lease lost")
)

// heartbeat renews the lease and stops the run when the submission was
// canceled or taken over.
func (p *Pipeline) heartbeat(ctx context.Context, cancel context.CancelCauseFunc, id string, lease time.Duration) {
	t := time.NewTicker(min(lease/3, 2*time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		status, err := p.Store.RenewLease(ctx, id, p.Owner, lease)
		switch {
		case errors.Is(err, store.ErrBusy):
			cancel(errLeaseLost)
			return
		case err != nil:
			slog.Warn("renew lease", "submission", id, "err", err)
		case status == store.StatusCanceled:
			cancel(errCanceledByUser)
			return
		}
	}
}

// statusOfPhase maps the runner's phases to the submission's statuses.
func statusOfPhase(phase string) string {
	switch phaseFamily(phase) {
	case "fetch":
		return store.StatusFetching
	case "prepare", "build":
		return store.StatusBuilding
	case "release", "web":
		return store.StatusStarting
	case "checks":
		return store.StatusChecking
	}
	return ""
}

// phaseFamily strips a run suffix ("web (fresh database)" → "web").
func phaseFamily(phase string) string {
	if i := strings.IndexAny(phase, " :#("); i > 0 {
		return phase[:i]
	}
	return phase
}

// failureSummary is the one line a reviewer sees for a submission that never
// reached its checks: the failing phase's message.
func failureSummary(card *grading.Scorecard) string {
	for i := len(card.Phases) - 1; i >= 0; i-- {
		if ph := card.Phases[i]; ph.Status != grading.PhaseOK && ph.Message != "" {
			return ph.Name + ": " + ph.Message
		}
	}
	return card.Status
}
