-- +goose Up
-- The grading pipeline's state: which worker holds a submission (a lease
-- that a crashed worker's successor can take over once it expires), how
-- often it was graded, and every status change with its time.

ALTER TABLE submissions
    ADD COLUMN lease_owner   text,
    ADD COLUMN lease_until   timestamptz,
    ADD COLUMN grade_runs    integer NOT NULL DEFAULT 0;

CREATE TABLE submission_events (
    id             bigserial PRIMARY KEY,
    submission_id  uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    status         text NOT NULL,
    message        text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX submission_events_submission_idx ON submission_events (submission_id, id);

-- +goose Down
DROP TABLE submission_events;
ALTER TABLE submissions
    DROP COLUMN lease_owner,
    DROP COLUMN lease_until,
    DROP COLUMN grade_runs;
