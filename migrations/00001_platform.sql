-- +goose Up
-- The platform's own schema: organisations and their people, assessments,
-- invitations, submissions with their scorecards and reviews, an audit log
-- and the outbox that hands work to the queue.

CREATE TABLE organizations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email          text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    role           text NOT NULL CHECK (role IN ('admin', 'recruiter', 'reviewer')),
    password_hash  text NOT NULL,
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);
-- One sign-in per email address across organisations: login takes only an email.
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_org_idx ON users (org_id);

CREATE TABLE assessments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    takehome         text NOT NULL,
    suite_version    text NOT NULL,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    instructions     text NOT NULL DEFAULT '',
    hours_allowed    integer NOT NULL CHECK (hours_allowed BETWEEN 1 AND 720),
    max_submissions  integer NOT NULL CHECK (max_submissions BETWEEN 1 AND 20),
    candidate_view   text NOT NULL CHECK (candidate_view IN ('nothing', 'total', 'visible_checks')),
    archived         boolean NOT NULL DEFAULT false,
    created_by       uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assessments_org_created_idx ON assessments (org_id, created_at DESC, id DESC);

CREATE TABLE invitations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    assessment_id    uuid NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    candidate_name   text NOT NULL CHECK (length(candidate_name) BETWEEN 1 AND 200),
    candidate_email  text NOT NULL CHECK (length(candidate_email) BETWEEN 3 AND 254),
    -- SHA-256 of the 32 random bytes handed to the candidate; the token itself is never stored.
    token_hash       bytea NOT NULL UNIQUE,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'opened', 'submitted', 'revoked')),
    opened_at        timestamptz,
    expires_at       timestamptz,
    external_source     text,
    external_id         text,
    external_callback   text,
    created_by       uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz
);
CREATE INDEX invitations_org_created_idx ON invitations (org_id, created_at DESC, id DESC);
CREATE INDEX invitations_assessment_idx ON invitations (assessment_id);
CREATE UNIQUE INDEX invitations_external_key ON invitations (org_id, external_source, external_id)
    WHERE external_id IS NOT NULL;

CREATE TABLE submissions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    assessment_id   uuid NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    invitation_id   uuid NOT NULL REFERENCES invitations(id) ON DELETE CASCADE,
    repo_url        text NOT NULL,
    ref             text NOT NULL DEFAULT '',
    commit_sha      text NOT NULL DEFAULT '',
    attempt         integer NOT NULL CHECK (attempt >= 1),
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN (
                        'queued', 'fetching', 'building', 'starting', 'checking',
                        'graded', 'build_failed', 'start_failed', 'error', 'canceled')),
    score           integer,
    max_score       integer,
    error           text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (invitation_id, attempt)
);
CREATE INDEX submissions_org_created_idx ON submissions (org_id, created_at DESC, id DESC);
CREATE INDEX submissions_assessment_idx ON submissions (assessment_id, status);
CREATE INDEX submissions_status_idx ON submissions (status, updated_at) WHERE status IN ('queued', 'fetching', 'building', 'starting', 'checking');

CREATE TABLE scorecards (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    submission_id   uuid NOT NULL UNIQUE REFERENCES submissions(id) ON DELETE CASCADE,
    takehome        text NOT NULL,
    suite_version   text NOT NULL,
    status          text NOT NULL,
    score           integer NOT NULL,
    max_score       integer NOT NULL,
    data            jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scorecards_org_idx ON scorecards (org_id);

CREATE TABLE reviews (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    submission_id  uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    reviewer_id    uuid REFERENCES users(id) ON DELETE SET NULL,
    decision       text NOT NULL CHECK (decision IN ('advance', 'reject', 'hold')),
    notes          text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reviews_submission_idx ON reviews (submission_id, created_at);

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    org_id       uuid REFERENCES organizations(id) ON DELETE CASCADE,
    actor_id     uuid REFERENCES users(id) ON DELETE SET NULL,
    actor        text NOT NULL,
    action       text NOT NULL,
    target_type  text NOT NULL,
    target_id    text NOT NULL,
    details      jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_org_created_idx ON audit_log (org_id, created_at DESC);

-- Work to hand to the queue, written in the same transaction as the change
-- that caused it; the relay enqueues and marks rows sent.
CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    task_type     text NOT NULL,
    task_id       text NOT NULL,
    queue         text NOT NULL DEFAULT 'default',
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    available_at  timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending_idx ON outbox (available_at, id) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE outbox;
DROP TABLE audit_log;
DROP TABLE reviews;
DROP TABLE scorecards;
DROP TABLE submissions;
DROP TABLE invitations;
DROP TABLE assessments;
DROP TABLE users;
DROP TABLE organizations;
