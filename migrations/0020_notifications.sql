-- E-mail notifications: what each user wants per kind, and the outbox the mail worker sends
-- from. A notice is written in the same transaction as the change it announces; the worker
-- (inside every `renkei serve`) claims due rows with FOR UPDATE SKIP LOCKED, so any number of
-- processes share the outbox and each message is sent once. A mail carries no personal or
-- clinical text: the kind, who did it (an agency or a user's name), a date, and a link.

-- One row per user who changed anything; defaults apply otherwise (domain::notice).
CREATE TABLE notify_setting (
    user_id uuid PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
    -- the language the mail is written in, taken from the page the settings were saved on
    lang text NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja', 'en')),
    -- when the daily digest goes out, Tokyo time
    digest_at time NOT NULL DEFAULT '08:00',
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notify_pref (
    user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (length(kind) <= 40),
    mode text NOT NULL CHECK (mode IN ('immediate', 'digest', 'off')),
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (length(kind) <= 40),
    mode text NOT NULL CHECK (mode IN ('immediate', 'digest')),
    -- the message's arguments (agency and user names, ISO dates): rendered in the recipient's
    -- language when the mail is sent
    args jsonb NOT NULL DEFAULT '{}',
    -- the path of the page the mail links to (made absolute with the base URL when sent)
    link text NOT NULL CHECK (link LIKE '/%' AND length(link) <= 500),
    -- a calendar file to attach (meeting notices)
    ics text,
    -- a notice that must exist once (a due date announced once a day): ON CONFLICT DO NOTHING
    dedupe text UNIQUE CHECK (length(dedupe) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- not before: now for an immediate notice, the recipient's next digest time for a digest
    due_at timestamptz NOT NULL DEFAULT now(),
    attempts int NOT NULL DEFAULT 0,
    last_error text,
    sent_at timestamptz
);

-- what the worker claims: unsent rows in the order they fall due
CREATE INDEX outbox_due_idx ON outbox (due_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_user_idx ON outbox (user_id, created_at);
