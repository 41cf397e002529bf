-- +goose Up
-- The candidate's code as the grader fetched it, one snapshot per kept run, so
-- a reviewer reads it beside the scorecard from any web process. The summary
-- (file index, what was skipped, the facts, the history) is jsonb for the
-- pages that list; the files themselves are one gzip-compressed JSON document,
-- bounded by the snapshot's caps. A run pruned from run_results takes its
-- snapshot with it.
CREATE TABLE code_snapshots (
    org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    submission_id  uuid NOT NULL,
    run            integer NOT NULL,
    summary        jsonb NOT NULL,
    files_gz       bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (submission_id, run),
    FOREIGN KEY (submission_id, run) REFERENCES run_results(submission_id, run) ON DELETE CASCADE
);

-- Reviewers' comments on a line of a file of a run. They belong to the
-- submission, not the snapshot: a comment outlives its run's pruning and is
-- still listed on the scorecard with its file and line.
CREATE TABLE code_comments (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    submission_id  uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    run            integer NOT NULL,
    path           text NOT NULL,
    line           integer NOT NULL CHECK (line >= 1),
    body           text NOT NULL,
    author_id      uuid REFERENCES users(id) ON DELETE SET NULL,
    author_label   text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX code_comments_submission ON code_comments (submission_id, created_at);

-- +goose Down
DROP TABLE code_comments;
DROP TABLE code_snapshots;
