-- +goose Up
-- What recruiters and reviewers can change after an invitation is sent:
-- extra attempts and hours for one candidate (on top of the assessment's),
-- a fresh link mailed again, and a submission's full scorecard shared with
-- its candidate.
ALTER TABLE invitations
    ADD COLUMN extra_attempts integer NOT NULL DEFAULT 0 CHECK (extra_attempts BETWEEN 0 AND 20),
    ADD COLUMN extra_hours    integer NOT NULL DEFAULT 0 CHECK (extra_hours BETWEEN 0 AND 720);
ALTER TABLE submissions ADD COLUMN shared_at timestamptz;

-- Two kinds of mail may be sent many times about one invitation: a new link
-- (each resend) and a grant (each extra attempt or extension). The others
-- stay once per object.
ALTER TABLE mail_messages DROP CONSTRAINT mail_messages_kind_check;
ALTER TABLE mail_messages ADD CONSTRAINT mail_messages_kind_check
    CHECK (kind IN ('invitation', 'reminder', 'receipt', 'new_link', 'grant'));
ALTER TABLE mail_messages DROP CONSTRAINT mail_messages_kind_subject_id_key;
CREATE UNIQUE INDEX mail_messages_once_key ON mail_messages (kind, subject_id)
    WHERE kind IN ('invitation', 'reminder', 'receipt');

-- +goose Down
DELETE FROM mail_messages WHERE kind IN ('new_link', 'grant');
DROP INDEX mail_messages_once_key;
ALTER TABLE mail_messages ADD CONSTRAINT mail_messages_kind_subject_id_key UNIQUE (kind, subject_id);
ALTER TABLE mail_messages DROP CONSTRAINT mail_messages_kind_check;
ALTER TABLE mail_messages ADD CONSTRAINT mail_messages_kind_check
    CHECK (kind IN ('invitation', 'reminder', 'receipt'));
ALTER TABLE submissions DROP COLUMN shared_at;
ALTER TABLE invitations DROP COLUMN extra_attempts, DROP COLUMN extra_hours;
