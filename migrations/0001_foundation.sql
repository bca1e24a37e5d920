-- Foundation: agencies, users and their memberships, server-side sessions, the login throttle,
-- and the append-only audit log.

CREATE TABLE agency (
    id           uuid PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind         text NOT NULL CHECK (kind IN ('clinic', 'transition_office', 'livelihood_center',
                     'vocational_center', 'retention_office', 'consultation_office', 'hello_work',
                     'employer', 'other')),
    municipality text NOT NULL DEFAULT '' CHECK (length(municipality) <= 100),
    address      text NOT NULL DEFAULT '' CHECK (length(address) <= 300),
    phone        text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agency_name_address_key UNIQUE (name, address)
);

CREATE TABLE app_user (
    id                  uuid PRIMARY KEY,
    -- NFKC-normalised, lower-cased; the login key
    email               text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    display_name        text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    password_hash       text NOT NULL,
    is_admin            boolean NOT NULL DEFAULT false,
    active              boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT app_user_email_key UNIQUE (email)
);

CREATE TABLE membership (
    user_id    uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    agency_id  uuid NOT NULL REFERENCES agency (id),
    role       text NOT NULL CHECK (role IN ('staff', 'coordinator', 'agency_admin')),
    job_title  text NOT NULL DEFAULT '' CHECK (length(job_title) <= 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, agency_id)
);
CREATE INDEX membership_agency_idx ON membership (agency_id);

-- Only the SHA-256 of the cookie's token is stored: a leaked table does not give live sessions.
CREATE TABLE session (
    token_hash       bytea PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    acting_agency_id uuid REFERENCES agency (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_seen_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_user_idx ON session (user_id);
CREATE INDEX session_last_seen_idx ON session (last_seen_at);

-- Soft lock, keyed by the normalised email whether or not such a user exists, so the lock
-- itself does not reveal which emails have accounts.
CREATE TABLE login_throttle (
    email_key      text PRIMARY KEY,
    failures       integer NOT NULL DEFAULT 0,
    last_failed_at timestamptz NOT NULL DEFAULT now(),
    locked_until   timestamptz
);

-- Who did what, as which agency, to which case, with what outcome. No clinical text.
CREATE TABLE audit_log (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               timestamptz NOT NULL DEFAULT now(),
    user_id          uuid,
    acting_agency_id uuid,
    action           text NOT NULL,
    case_id          uuid,
    target_id        uuid,
    outcome          text NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    request_id       text NOT NULL DEFAULT '',
    ip               text NOT NULL DEFAULT '',
    detail           text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, id DESC);
CREATE INDEX audit_log_case_idx ON audit_log (case_id, id DESC) WHERE case_id IS NOT NULL;

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
