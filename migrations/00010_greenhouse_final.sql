-- +goose Up
-- Greenhouse is told a test is complete once, when the candidate is done:
-- the last attempt graded, the deadline passed, or a submission the
-- candidate marked as their final one. partner_completed_at records that
-- moment (and that the completion PATCH was queued) so it happens once.
ALTER TABLE submissions ADD COLUMN final boolean NOT NULL DEFAULT false;
ALTER TABLE invitations ADD COLUMN partner_completed_at timestamptz;
-- Tests already reported before this column existed stay complete (and are
-- not reported twice): their first completion call marks them.
UPDATE invitations i SET partner_completed_at = first.at
FROM (SELECT e.data->>'invitation_id' AS invitation_id, min(d.created_at) AS at
      FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
      WHERE d.callback_kind IS NOT NULL GROUP BY 1) first
WHERE first.invitation_id = i.id::text AND i.external_source IS NOT NULL;
-- The deadline sweep looks for partner invitations not yet completed.
CREATE INDEX invitations_partner_open_idx ON invitations (expires_at)
    WHERE external_source IS NOT NULL AND partner_completed_at IS NULL;

-- +goose Down
DROP INDEX invitations_partner_open_idx;
ALTER TABLE invitations DROP COLUMN partner_completed_at;
ALTER TABLE submissions DROP COLUMN final;
