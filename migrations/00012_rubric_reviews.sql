-- +goose Up
-- Reviewers judge what no check can (issue 17): each assessment has a rubric
-- of criteria scored 1 to 4, every reviewer scores a submission on it, and an
-- assessment may be reviewed blind. The rubric is NULL until a recruiter edits
-- it: the application's default rubric applies (store.DefaultRubric).
ALTER TABLE assessments ADD COLUMN rubric jsonb;
ALTER TABLE assessments ADD COLUMN blind_review boolean NOT NULL DEFAULT false;

-- One reviewer's scores of one submission, kept up to date as they change
-- their mind: {"criterion name": 1..4}.
CREATE TABLE rubric_scores (
    org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    submission_id  uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    reviewer_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scores         jsonb NOT NULL,
    notes          text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (submission_id, reviewer_id)
);
CREATE INDEX rubric_scores_org_idx ON rubric_scores (org_id);

-- A decision is recorded once per submission; an admin's explicit change adds
-- a row that says so (the latest row is the decision in force).
ALTER TABLE reviews ADD COLUMN changed boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE reviews DROP COLUMN changed;
DROP TABLE rubric_scores;
ALTER TABLE assessments DROP COLUMN blind_review;
ALTER TABLE assessments DROP COLUMN rubric;
