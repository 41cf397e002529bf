-- +goose Up
-- Greenhouse is told a test is complete once, when the candidate is done:
-- the last attempt graded, the deadline passed, or a submission the
-- candidate marked as their final one. partner_completed_at records that
-- moment (and that the completion PATCH was queued) so it happens once.
ALTER TABLE submissions ADD COLUMN final boolean NOT NULL DEFAULT false;
ALTER TABLE invitations ADD COLUMN partner_completed_at timestamptz;
-- The deadline sweep looks for partner invitations not yet completed.
CREATE INDEX invitations_partner_open_idx ON invitations (expires_at)
    WHERE external_source IS NOT NULL AND partner_completed_at IS NULL;

-- +goose Down
DROP INDEX invitations_partner_open_idx;
ALTER TABLE invitations DROP COLUMN partner_completed_at;
ALTER TABLE submissions DROP COLUMN final;
