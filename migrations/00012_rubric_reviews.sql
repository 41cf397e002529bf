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

-- Blind review shows a candidate as "Candidate 7": their number within the
-- assessment, in the order invited, given by the database on insert so no
-- path that makes invitations (form, CSV, API, Greenhouse) can forget it.
ALTER TABLE invitations ADD COLUMN candidate_number integer;
UPDATE invitations i SET candidate_number = n.rn
FROM (SELECT id, row_number() OVER (PARTITION BY assessment_id ORDER BY created_at, id) AS rn FROM invitations) n
WHERE n.id = i.id;
ALTER TABLE invitations ALTER COLUMN candidate_number SET NOT NULL;
CREATE UNIQUE INDEX invitations_candidate_number_key ON invitations (assessment_id, candidate_number);

-- +goose StatementBegin
CREATE FUNCTION number_candidate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The lock on the assessment orders concurrent invitations (NO KEY
    -- UPDATE: foreign-key checks of submissions do not wait on it).
    PERFORM 1 FROM assessments WHERE id = NEW.assessment_id FOR NO KEY UPDATE;
    SELECT coalesce(max(candidate_number), 0) + 1 INTO NEW.candidate_number
    FROM invitations WHERE assessment_id = NEW.assessment_id;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER invitations_number_candidate BEFORE INSERT ON invitations
    FOR EACH ROW EXECUTE FUNCTION number_candidate();

-- The submissions table shows one row per candidate: their latest attempt.
-- The database marks it on insert (the earlier attempts stop being latest),
-- so the table pages through partial indexes instead of comparing attempts.
CREATE INDEX submissions_invitation_attempt_idx ON submissions (invitation_id, attempt);
ALTER TABLE submissions ADD COLUMN latest boolean NOT NULL DEFAULT true;
UPDATE submissions s SET latest = false
WHERE EXISTS (SELECT 1 FROM submissions n WHERE n.invitation_id = s.invitation_id AND n.attempt > s.attempt);

-- +goose StatementBegin
CREATE FUNCTION supersede_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE submissions SET latest = false
    WHERE invitation_id = NEW.invitation_id AND id <> NEW.id AND latest;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER submissions_supersede_attempts AFTER INSERT ON submissions
    FOR EACH ROW EXECUTE FUNCTION supersede_attempts();
CREATE INDEX submissions_latest_created_idx ON submissions (org_id, created_at DESC, id DESC) WHERE latest;
CREATE INDEX submissions_latest_score_idx ON submissions (org_id, score DESC NULLS LAST, created_at DESC, id DESC) WHERE latest;

-- +goose Down
DROP TRIGGER submissions_supersede_attempts ON submissions;
DROP FUNCTION supersede_attempts();
ALTER TABLE submissions DROP COLUMN latest;
DROP INDEX submissions_invitation_attempt_idx;
DROP TRIGGER invitations_number_candidate ON invitations;
DROP FUNCTION number_candidate();
ALTER TABLE invitations DROP COLUMN candidate_number;
ALTER TABLE reviews DROP COLUMN changed;
DROP TABLE rubric_scores;
ALTER TABLE assessments DROP COLUMN blind_review;
ALTER TABLE assessments DROP COLUMN rubric;
