-- +goose Up
-- Each finished grading run keeps its scorecard (phases with their output tails,
-- the schema dump, every check's evidence), so a regrade does not erase what the
-- earlier run saw. scorecards keeps the current one. Bounded: a scorecard's parts
-- are capped by the grader, and only the newest runs of a submission are kept.
CREATE TABLE run_results (
    id             bigserial PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    submission_id  uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    run            integer NOT NULL,
    status         text NOT NULL,
    score          integer,
    max_score      integer,
    commit_sha     text NOT NULL DEFAULT '',
    message        text NOT NULL DEFAULT '',
    scorecard      jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (submission_id, run)
);

-- Runs finished before this migration: their scorecard is the current one.
INSERT INTO run_results (org_id, submission_id, run, status, score, max_score, commit_sha, message, scorecard, created_at)
SELECT s.org_id, s.id, GREATEST(s.grade_runs, 1), s.status, s.score, s.max_score, s.commit_sha, s.error, c.data,
       COALESCE(s.finished_at, now())
FROM submissions s LEFT JOIN scorecards c ON c.submission_id = s.id
WHERE s.status IN ('graded', 'build_failed', 'start_failed', 'error');

-- +goose Down
DROP TABLE run_results;
