-- +goose Up
-- Similarity (issue 18). Each code snapshot keeps its winnowed fingerprints
-- (internal/similarity's binary encoding, template not yet removed), written
-- by the similarity task after the run; NULL until then, and for snapshots
-- older than this feature until a recompute fingerprints them. Comparing
-- again is then only the index step: no lexing.
ALTER TABLE code_snapshots ADD COLUMN fingerprints bytea;

-- The similarity from which a submission is flagged on the table and the
-- scorecard (similarity.DefaultThreshold); a flag asks a reviewer to look.
ALTER TABLE assessments ADD COLUMN similarity_threshold double precision NOT NULL DEFAULT 0.4
    CHECK (similarity_threshold > 0 AND similarity_threshold <= 1);

-- Public answers to a take-home an admin registered for the organisation:
-- fetched by the similarity task through gitfetch, snapshotted and
-- fingerprinted like a submission, and compared with every submission of
-- the take-home.
CREATE TABLE known_solutions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    takehome      text NOT NULL,
    repo_url      text NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed')),
    error         text NOT NULL DEFAULT '',
    commit_sha    text NOT NULL DEFAULT '',
    summary       jsonb,
    files_gz      bytea,
    fingerprints  bytea,
    added_by      uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    fetched_at    timestamptz,
    fetches       integer NOT NULL DEFAULT 1, -- numbers the fetch tasks (refetch)
    UNIQUE (org_id, takehome, repo_url)
);

-- A submission's closest matches, from its side ("self" is the submission,
-- "other" the submission or known solution it shares code with): the same
-- pair is stored once from each submission's side. Fragments are the line
-- ranges to show side by side.
CREATE TABLE similarity_matches (
    org_id               uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    submission_id        uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    run                  integer NOT NULL,
    other_submission_id  uuid REFERENCES submissions(id) ON DELETE CASCADE,
    other_run            integer,
    known_solution_id    uuid REFERENCES known_solutions(id) ON DELETE CASCADE,
    other_id             uuid GENERATED ALWAYS AS (COALESCE(other_submission_id, known_solution_id)) STORED,
    similarity           double precision NOT NULL,
    similarity_self      double precision NOT NULL,
    similarity_other     double precision NOT NULL,
    shared               integer NOT NULL,
    lines_self           integer NOT NULL,
    lines_other          integer NOT NULL,
    longest              jsonb NOT NULL,
    fragments            jsonb NOT NULL,
    computed_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((other_submission_id IS NULL) <> (known_solution_id IS NULL))
);
CREATE UNIQUE INDEX similarity_matches_pair ON similarity_matches (submission_id, other_id);
CREATE INDEX similarity_matches_org ON similarity_matches (org_id, submission_id, similarity DESC);

-- "Reviewed: not a concern": a reviewer's mark on a pair, whichever side
-- it was made from (a and b are the pair's two ids, a < b). A marked pair no
-- longer flags either submission. Marks and unmarks are audited.
CREATE TABLE similarity_marks (
    org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    a_id         uuid NOT NULL,
    b_id         uuid NOT NULL,
    marked_by    uuid REFERENCES users(id) ON DELETE SET NULL,
    marked_label text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, a_id, b_id),
    CHECK (a_id < b_id)
);

-- +goose Down
DROP TABLE similarity_marks;
DROP TABLE similarity_matches;
DROP TABLE known_solutions;
ALTER TABLE assessments DROP COLUMN similarity_threshold;
ALTER TABLE code_snapshots DROP COLUMN fingerprints;
