-- Personal access tokens for the JSON API (/api/v1). A token belongs to one user and one of
-- their memberships (the agency it acts as), is read-only or read-write and expires. Only the
-- SHA-256 of the token is stored: the token itself is shown once, when it is made.
CREATE TABLE api_token (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    agency_id   uuid NOT NULL REFERENCES agency (id),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    can_write   boolean NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at  timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX api_token_user_idx ON api_token (user_id, created_at DESC);

-- The per-token rate limit, a GCRA bucket like login_rate: the instant the bucket is empty
-- again. In PostgreSQL, so that every `renkei serve` process counts the same requests.
CREATE TABLE api_rate (
    token_id uuid PRIMARY KEY REFERENCES api_token (id) ON DELETE CASCADE,
    ready_at timestamptz NOT NULL
);

SELECT renkei_grant_app();
