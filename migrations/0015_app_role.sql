-- The role requests are served as: it logs in, owns nothing, and may only read and write rows.
-- The owner (the role migrations run as) keeps the schema; the audit log is append-only for
-- the app at the privilege level too, so neither `SET session_replication_role = replica` nor
-- `ALTER TABLE audit_log DISABLE TRIGGER` is open to a request.
--
-- The grants live in one function so that a restore (which brings the schema back without
-- privileges, as the restoring role) applies the same rule again: `SELECT renkei_grant_app()`.
-- A later migration that changes what the app may do replaces this function and calls it.
CREATE FUNCTION renkei_grant_app() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Roles are cluster-wide and databases are many (each test has its own, migrated in
    -- parallel): create the role once, and let a concurrent creator win.
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

    -- older servers let every role create tables in public
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    GRANT USAGE ON SCHEMA public TO renkei_app;

    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO renkei_app;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO renkei_app;
    REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM renkei_app;
    REVOKE ALL ON _sqlx_migrations FROM renkei_app;

    -- tables and sequences later migrations create (as this same owner)
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO renkei_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT USAGE ON SEQUENCES TO renkei_app;
END;
$$;
REVOKE ALL ON FUNCTION renkei_grant_app() FROM PUBLIC;

SELECT renkei_grant_app();
