-- 第三者提供の記録 (個人情報保護法 第29条; the receiver's record, 第30条, is the same row read from
-- the other side): every provision of a person's information from one agency to another, written
-- in the transaction of the provision. Entries shared under one consent are counted per month
-- (recipient × person × categories × count); every other provision is a row of its own.
CREATE TABLE provision (
    id                 uuid PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('entries', 'referral', 'material', 'plan',
                           'report')),
    case_id            uuid NOT NULL REFERENCES case_file (id),
    provider_agency_id uuid NOT NULL REFERENCES agency (id),
    receiver_agency_id uuid NOT NULL REFERENCES agency (id),
    -- the Tokyo day of the provision (for a month's entries: the first of them)
    provided_on        date NOT NULL,
    -- the last day (for a month's entries; the same day otherwise)
    last_on            date NOT NULL,
    month              date NOT NULL CHECK (extract(day FROM month) = 1),
    -- the consent categories of what was provided
    categories         text[] NOT NULL CHECK (cardinality(categories) > 0),
    -- the consent records relied on
    consent_ids        uuid[] NOT NULL CHECK (cardinality(consent_ids) > 0),
    -- the referral, meeting, plan delivery or report; NULL for a month's entries
    subject_id         uuid,
    count              integer NOT NULL DEFAULT 1 CHECK (count > 0),
    recorded_by        uuid REFERENCES app_user (id),
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (receiver_agency_id <> provider_agency_id),
    CHECK (last_on >= provided_on AND date_trunc('month', provided_on::timestamp)::date = month
           AND date_trunc('month', last_on::timestamp)::date = month),
    CHECK ((kind = 'entries') = (subject_id IS NULL)),
    CHECK (kind = 'entries' OR count = 1)
);
CREATE UNIQUE INDEX provision_entries_month_idx
    ON provision (case_id, provider_agency_id, receiver_agency_id, month, categories, consent_ids)
    WHERE kind = 'entries';
CREATE UNIQUE INDEX provision_subject_idx ON provision (kind, subject_id, receiver_agency_id)
    WHERE subject_id IS NOT NULL;
CREATE INDEX provision_provider_idx ON provision (provider_agency_id, month, provided_on);
CREATE INDEX provision_receiver_idx ON provision (receiver_agency_id, month, provided_on);
CREATE INDEX provision_case_idx ON provision (case_id, month, provided_on);

-- Kept at least three years after the last provision a row records, and never changed: only a
-- month's counter (and its last day) moves forward. The guard holds for every role; the app
-- role has, besides, no DELETE and no UPDATE but on those two columns (renkei_grant_app below).
CREATE FUNCTION provision_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'the provision ledger is kept: TRUNCATE refused';
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.last_on > ((now() AT TIME ZONE 'Asia/Tokyo')::date - interval '3 years')::date THEN
            RAISE EXCEPTION 'the provision ledger keeps a row for three years after its last day (%)',
                OLD.last_on;
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.kind <> 'entries'
       OR (NEW.id, NEW.kind, NEW.case_id, NEW.provider_agency_id, NEW.receiver_agency_id,
           NEW.provided_on, NEW.month, NEW.categories, NEW.consent_ids, NEW.recorded_by,
           NEW.recorded_at)
          IS DISTINCT FROM
          (OLD.id, OLD.kind, OLD.case_id, OLD.provider_agency_id, OLD.receiver_agency_id,
           OLD.provided_on, OLD.month, OLD.categories, OLD.consent_ids, OLD.recorded_by,
           OLD.recorded_at)
       OR NEW.count < OLD.count OR NEW.last_on < OLD.last_on THEN
        RAISE EXCEPTION 'the provision ledger is not changed: only a month''s count grows';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER provision_guard_row BEFORE UPDATE OR DELETE ON provision
    FOR EACH ROW EXECUTE FUNCTION provision_guard();
CREATE TRIGGER provision_guard_truncate BEFORE TRUNCATE ON provision
    FOR EACH STATEMENT EXECUTE FUNCTION provision_guard();

-- 地域連携会議実施加算: who presented the plan at a meeting on the support plan
-- (the サービス管理責任者 → (Ⅰ), other staff reporting back → (Ⅱ)).
ALTER TABLE meeting
    ADD COLUMN plan_presenter text CHECK (plan_presenter IN ('manager', 'staff'));

-- the ledger is added to and read, never changed, but for a month's counter
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
    REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON provision FROM renkei_app;
    GRANT UPDATE (count, last_on) ON provision TO renkei_app;
    REVOKE ALL ON _sqlx_migrations FROM renkei_app;

    ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO renkei_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT USAGE ON SEQUENCES TO renkei_app;
END;
$$;
REVOKE ALL ON FUNCTION renkei_grant_app() FROM PUBLIC;

SELECT renkei_grant_app();
