-- +goose Up
-- Organisations bring their own take-homes (issue 19): a take-home is a
-- bundle (takehome.yaml, BRIEF.md, starter/, reference/, variants/) uploaded
-- as a zip or fetched from a repository, and each upload is a new version.
-- A version can be issued only once its reference solution scored 100 and
-- each flawed variant failed exactly its listed checks: the check task moves
-- it from 'checking' to 'issuable' or 'rejected' and keeps the verdict table.
CREATE TABLE takehomes (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    slug        text NOT NULL,
    title       text NOT NULL,
    created_by  uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- Two organisations may both have a "webhook-receiver"; one may not have two.
    UNIQUE (org_id, slug)
);

CREATE TABLE takehome_versions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The organisation again, so every query filters on the row itself.
    org_id        uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    takehome_id   uuid NOT NULL REFERENCES takehomes(id) ON DELETE CASCADE,
    number        integer NOT NULL CHECK (number > 0),
    -- takehome.yaml's own version string and title, as loaded.
    suite_version text NOT NULL,
    title         text NOT NULL,
    brief         text NOT NULL DEFAULT '',
    source        text NOT NULL CHECK (source IN ('upload', 'git')),
    repo_url      text,
    commit_sha    text,
    -- The bundle as a zip (an upload as sent, a repository zipped at its
    -- commit): the worker builds the suite from exactly these bytes.
    bundle        bytea NOT NULL,
    bundle_sha256 text NOT NULL,
    status        text NOT NULL DEFAULT 'checking' CHECK (status IN ('checking', 'issuable', 'rejected')),
    -- The verdict table: [{name, score, status, unexpected: [...]}, ...].
    report        jsonb,
    -- Why a check could not run at all (the engine failed), for people.
    message       text NOT NULL DEFAULT '',
    created_by    uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    checked_at    timestamptz,
    UNIQUE (takehome_id, number),
    UNIQUE (org_id, id),
    CHECK ((source = 'git') = (repo_url IS NOT NULL AND commit_sha IS NOT NULL))
);
CREATE INDEX takehome_versions_org_idx ON takehome_versions (org_id, status);

-- An assessment of a custom take-home pins the version it was made from;
-- built-in take-homes keep only their slug (NULL here). The key includes the
-- organisation, so no assessment can pin another organisation's version
-- whatever the code above the database does.
ALTER TABLE assessments ADD COLUMN takehome_version_id uuid;
ALTER TABLE assessments ADD CONSTRAINT assessments_takehome_version_fkey
    FOREIGN KEY (org_id, takehome_version_id) REFERENCES takehome_versions (org_id, id);
CREATE INDEX assessments_takehome_version_idx ON assessments (takehome_version_id) WHERE takehome_version_id IS NOT NULL;

-- +goose Down
DROP INDEX assessments_takehome_version_idx;
ALTER TABLE assessments DROP COLUMN takehome_version_id;
DROP TABLE takehome_versions;
DROP TABLE takehomes;
