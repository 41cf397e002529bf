-- +goose Up
-- Server-side sessions, so a session can end before its token expires:
-- the staff JWT carries the session's id (jti) and every request checks
-- the row. Logout ends one session; a password, role or disabled change
-- ends all of the user's.
CREATE TABLE sessions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id, expires_at);

-- Platform operators run the installation (the queue monitor shows every
-- organisation's tasks); only `assay users create --operator` sets it.
ALTER TABLE users ADD COLUMN platform_operator boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE users DROP COLUMN platform_operator;
DROP TABLE sessions;
