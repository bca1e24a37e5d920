-- A second factor (TOTP, RFC 6238) per user, its one-time recovery codes, the soft lock on wrong
-- codes, the short-lived state between the password and the code, and an agency's requirement.

-- One row per user: pending (enabled_at NULL) from the start of enrolment until the user confirms
-- a current code. `last_step` is the 30-second step of the last code accepted, so no code is
-- accepted twice.
CREATE TABLE second_factor (
    user_id    uuid PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
    secret     bytea NOT NULL CHECK (length(secret) BETWEEN 16 AND 64),
    created_at timestamptz NOT NULL DEFAULT now(),
    enabled_at timestamptz,
    last_step  bigint NOT NULL DEFAULT 0
);

-- Only the SHA-256 of each code; `used_at` set when it is spent.
CREATE TABLE recovery_code (
    user_id   uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- Wrong codes per account, kept apart from the password's lock.
CREATE TABLE second_factor_throttle (
    user_id        uuid PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
    failures       int NOT NULL DEFAULT 0,
    last_failed_at timestamptz NOT NULL DEFAULT now(),
    locked_until   timestamptz
);

-- After a correct password, before the code: only the SHA-256 of the cookie's token.
CREATE TABLE pending_login (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);

-- A session of a member whose agency requires a second factor they do not have yet reaches
-- only the enrolment pages.
ALTER TABLE session ADD COLUMN must_enrol boolean NOT NULL DEFAULT false;

ALTER TABLE agency ADD COLUMN require_second_factor boolean NOT NULL DEFAULT false;
