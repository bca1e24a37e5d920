-- Generated tasks keep the key of the rule they come from (`source`) and its arguments (the
-- dates), so that their titles are rendered in the reader's language at read time; `title`
-- keeps the Japanese text for a task no user edited and what the user typed for one they did.
-- A task whose moment has passed because the case moved on is closed automatically: status
-- 'closed' with the catalog key of the reason.
ALTER TABLE task DROP CONSTRAINT task_status_check;
ALTER TABLE task ADD CONSTRAINT task_status_check CHECK (status IN ('open', 'done', 'closed'));
ALTER TABLE task
    ADD COLUMN args          jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN closed_reason text CHECK (closed_reason IS NULL OR length(closed_reason) BETWEEN 1 AND 100),
    ADD COLUMN closed_at     timestamptz,
    -- the user typed a title of their own (a change of the due date alone keeps the generated
    -- title, in each reader's language)
    ADD COLUMN title_edited  boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT task_closed_has_reason CHECK ((status = 'closed') = (closed_reason IS NOT NULL));
UPDATE task SET title_edited = edited;

-- Every change of a case's phase; moving a phase back (e.g. retention → training) needs the
-- reason, written by the user who made the change.
CREATE TABLE phase_change (
    id          uuid PRIMARY KEY,
    case_id     uuid NOT NULL REFERENCES case_file (id),
    from_phase  text NOT NULL,
    to_phase    text NOT NULL,
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    changed_by  uuid REFERENCES app_user (id),
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phase_change_case_idx ON phase_change (case_id, changed_at);

-- the app role reads and writes the new table (see 0015)
SELECT renkei_grant_app();
