-- +goose Up
-- How an assessment's submissions are run (contract §1a): adaptive (the
-- default) makes a repository run as a person grading by hand would and
-- prices each adaptation; strict follows the brief to the letter.
ALTER TABLE assessments ADD COLUMN grading_mode text NOT NULL DEFAULT 'adaptive'
    CHECK (grading_mode IN ('adaptive', 'strict'));

-- +goose Down
ALTER TABLE assessments DROP COLUMN grading_mode;
