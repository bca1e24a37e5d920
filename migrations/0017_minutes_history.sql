-- Minutes can be corrected after the meeting; every earlier version is kept, with who wrote it
-- and when, and who replaced it and when. `meeting.minutes_version` counts the versions (1 for
-- the first minutes) and is what an edit expects, so two edits at once cannot overwrite each
-- other unseen.
ALTER TABLE meeting
    ADD COLUMN minutes_by      uuid REFERENCES app_user (id),
    ADD COLUMN minutes_at      timestamptz,
    ADD COLUMN minutes_version integer NOT NULL DEFAULT 0 CHECK (minutes_version >= 0);

UPDATE meeting SET minutes_by = convener_user_id, minutes_at = held_at, minutes_version = 1
 WHERE status = 'held';

CREATE TABLE minutes_version (
    meeting_id  uuid NOT NULL REFERENCES meeting (id),
    version     integer NOT NULL CHECK (version >= 1),
    attendees   text NOT NULL CHECK (length(attendees) <= 2000),
    discussion  text NOT NULL CHECK (length(discussion) <= 20000),
    decisions   text NOT NULL CHECK (length(decisions) <= 20000),
    written_by  uuid REFERENCES app_user (id),
    written_at  timestamptz,
    replaced_by uuid NOT NULL REFERENCES app_user (id),
    replaced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, version)
);

-- earlier versions are history: the app adds them and reads them, never changes them
CREATE OR REPLACE FUNCTION renkei_grant_app() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'renkei_app') THEN
        BEGIN
            CREATE ROLE renkei_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
                NOBYPASSRLS NOINHERIT;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'cannot create the role renkei_app'
                    USING HINT = 'create it once as a role that may (CREATE ROLE renkei_app LOGIN PASSWORD ''…''), then start Renkei again';
        END;
    END IF;

    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    GRANT USAGE ON SCHEMA public TO renkei_app;

    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO renkei_app;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO renkei_app;
    REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM renkei_app;
    REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON minutes_version FROM renkei_app;
    REVOKE ALL ON _sqlx_migrations FROM renkei_app;

    ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO renkei_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT USAGE ON SEQUENCES TO renkei_app;
END;
$$;
REVOKE ALL ON FUNCTION renkei_grant_app() FROM PUBLIC;

SELECT renkei_grant_app();
