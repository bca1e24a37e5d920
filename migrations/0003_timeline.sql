-- The shared timeline: structured fields per kind, rendered Markdown, replies (entries that answer
-- an observation, under the same visibility rule), versions kept on edit, and what each user
-- has read.

ALTER TABLE entry
    ADD COLUMN fields    jsonb NOT NULL DEFAULT '{}',
    -- the body rendered from Markdown and sanitised when written
    ADD COLUMN body_html text NOT NULL DEFAULT '',
    ADD COLUMN reply_to  uuid REFERENCES entry (id),
    ADD COLUMN version   integer NOT NULL DEFAULT 1,
    ADD COLUMN edited_at timestamptz,
    ADD COLUMN edited_by uuid REFERENCES app_user (id);

CREATE INDEX entry_reply_idx ON entry (reply_to, created_at) WHERE reply_to IS NOT NULL;
-- the inbox walks a team's cases by recency of writing
CREATE INDEX entry_case_created_idx ON entry (case_id, created_at DESC, id DESC);

CREATE TABLE entry_version (
    entry_id    uuid NOT NULL REFERENCES entry (id),
    version     integer NOT NULL,
    body        text NOT NULL,
    body_html   text NOT NULL,
    fields      jsonb NOT NULL,
    occurred_at timestamptz NOT NULL,
    -- who wrote this version and when
    written_by  uuid NOT NULL REFERENCES app_user (id),
    written_at  timestamptz NOT NULL,
    PRIMARY KEY (entry_id, version)
);

CREATE TABLE entry_read (
    user_id  uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    entry_id uuid NOT NULL REFERENCES entry (id),
    read_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, entry_id)
);
