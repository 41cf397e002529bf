-- +goose Up
-- Interview kits (issue 20): an organisation's own interview questions (the
-- shipped bank is embedded in the binary, not stored), each assessment's
-- ordered kit of questions with a time budget, and interviewers' scorecards.

CREATE TABLE interview_questions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    level          text NOT NULL CHECK (level IN ('junior', 'intermediate', 'senior')),
    kind           text NOT NULL CHECK (kind IN ('technical', 'code_reading', 'situational', 'behavioural')),
    topic          text NOT NULL CHECK (length(topic) BETWEEN 1 AND 100),
    prompt         text NOT NULL CHECK (length(prompt) BETWEEN 1 AND 2000),
    evaluates      text NOT NULL DEFAULT '' CHECK (length(evaluates) <= 2000),
    strong_answer  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(strong_answer) = 'array'),
    red_flags      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(red_flags) = 'array'),
    follow_ups     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(follow_ups) = 'array'),
    -- The question this one was copied from ("bank:..." or another's id), if any.
    copied_from    text,
    created_by     uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interview_questions_org_idx ON interview_questions (org_id, created_at, id);

-- A kit is the ordered questions of an assessment's live interview. A
-- question is named by its id: "bank:..." for the shipped bank, the uuid of
-- an interview_questions row otherwise (deleting that row removes it from
-- kits in the same transaction).
CREATE TABLE interview_kit_items (
    assessment_id  uuid NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    position       integer NOT NULL CHECK (position >= 1),
    question_id    text NOT NULL,
    minutes        integer NOT NULL CHECK (minutes BETWEEN 1 AND 120),
    PRIMARY KEY (assessment_id, position),
    UNIQUE (assessment_id, question_id)
);
CREATE INDEX interview_kit_items_question_idx ON interview_kit_items (org_id, question_id);

-- One scorecard per interviewer per submission: per question a rating from
-- 1 to 4 against the strong answer's points (0: not asked) and a note. The
-- prompt is kept as asked, since follow-ups are written from the scorecard
-- and an organisation's questions can be edited later.
CREATE TABLE interviews (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id             uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    submission_id      uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    interviewer_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    interviewer_email  text NOT NULL,
    scores             jsonb NOT NULL CHECK (jsonb_typeof(scores) = 'array'),
    notes              text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (submission_id, interviewer_id)
);
CREATE INDEX interviews_org_submission_idx ON interviews (org_id, submission_id, created_at);

-- +goose Down
DROP TABLE interviews;
DROP TABLE interview_kit_items;
DROP TABLE interview_questions;
