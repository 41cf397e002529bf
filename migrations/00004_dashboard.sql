-- +goose Up
-- The dashboard's mail (invitations, deadline reminders, submission
-- receipts) and the indexes its pages sort and filter on.

-- One row per message: written in the same transaction as the change that
-- caused it, with an outbox row that hands a mail:send task to the queue.
-- Without SMTP the row stays "held" so admins can read what would have been
-- sent; once delivered, the bodies (an invitation carries the candidate's
-- secret link) are cleared and only who, what and when are kept.
CREATE TABLE mail_messages (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('invitation', 'reminder', 'receipt')),
    -- The invitation (invitation, reminder) or submission (receipt) the
    -- message is about: a message of a kind is sent once per object.
    subject_id  uuid NOT NULL,
    to_addr     text NOT NULL,
    subject     text NOT NULL,
    text_body   text NOT NULL DEFAULT '',
    html_body   text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'held')),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    UNIQUE (kind, subject_id)
);
CREATE INDEX mail_messages_org_created_idx ON mail_messages (org_id, created_at DESC, id DESC);

-- The reminder sweep looks for opened invitations whose deadline is near.
CREATE INDEX invitations_opened_expires_idx ON invitations (expires_at) WHERE state = 'opened';

-- The reviewers' submissions table sorts by score or date within an
-- organisation, optionally for one assessment.
CREATE INDEX submissions_org_score_idx ON submissions (org_id, score DESC NULLS LAST, created_at DESC, id DESC);
CREATE INDEX submissions_assessment_created_idx ON submissions (assessment_id, created_at DESC, id DESC);
CREATE INDEX submissions_assessment_score_idx ON submissions (assessment_id, score DESC NULLS LAST, created_at DESC, id DESC);

-- +goose Down
DROP INDEX submissions_assessment_score_idx;
DROP INDEX submissions_assessment_created_idx;
DROP INDEX submissions_org_score_idx;
DROP INDEX invitations_opened_expires_idx;
DROP TABLE mail_messages;
