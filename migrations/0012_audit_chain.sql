-- The audit log becomes a hash chain. Each row carries its place in the chain (`seq`, 1, 2, …
-- with no gaps), the hash of the row before it (`prev_hash`; 32 zero bytes for the first) and
-- its own hash: sha256 over a canonical encoding of its fields and `prev_hash`
-- (`audit_log_canonical`, mirrored by `renkei audit verify`). A BEFORE INSERT trigger fills all
-- three — and `at`, which is always the database's now(): no row can be backdated — under a
-- transaction-level advisory lock, so concurrent writers queue and the chain order is the
-- commit order. `renkei audit verify` walks the chain and names the first broken row.

ALTER TABLE audit_log
    ADD COLUMN seq       bigint,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN hash      bytea;

-- One field: `~` for NULL, otherwise its length in bytes, `:`, the value, `;`. Length-prefixed,
-- so no value can pass for a field boundary.
CREATE FUNCTION audit_log_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN v IS NULL THEN '~;' ELSE octet_length(v)::text || ':' || v || ';' END
$$;

-- The bytes a row's hash is taken over. `at` in UTC with microseconds, uuids in their
-- lowercase hyphenated form, `prev_hash` in lowercase hex.
CREATE FUNCTION audit_log_canonical(
    seq bigint, id bigint, at timestamptz, user_id uuid, acting_agency_id uuid, action text,
    case_id uuid, target_id uuid, outcome text, request_id text, ip text, detail text,
    prev_hash bytea
) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(
        'renkei-audit-v1;'
        || audit_log_field(seq::text)
        || audit_log_field(id::text)
        || audit_log_field(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
        || audit_log_field(user_id::text)
        || audit_log_field(acting_agency_id::text)
        || audit_log_field(action)
        || audit_log_field(case_id::text)
        || audit_log_field(target_id::text)
        || audit_log_field(outcome)
        || audit_log_field(request_id)
        || audit_log_field(ip)
        || audit_log_field(detail)
        || audit_log_field(encode(prev_hash, 'hex')),
        'UTF8')
$$;

-- The existing rows join the chain in id order (there were no concurrent writers to order).
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete;
UPDATE audit_log l SET seq = n.seq
FROM (SELECT id, row_number() OVER (ORDER BY id) AS seq FROM audit_log) n
WHERE l.id = n.id;
DO $$
DECLARE
    r record;
    prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
    h bytea;
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY seq LOOP
        h := sha256(audit_log_canonical(r.seq, r.id, r.at, r.user_id, r.acting_agency_id,
                                        r.action, r.case_id, r.target_id, r.outcome,
                                        r.request_id, r.ip, r.detail, prev));
        UPDATE audit_log SET prev_hash = prev, hash = h WHERE id = r.id;
        prev := h;
    END LOOP;
END;
$$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete;

ALTER TABLE audit_log
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN hash SET NOT NULL,
    ADD CONSTRAINT audit_log_seq_key UNIQUE (seq),
    ADD CONSTRAINT audit_log_hash_len CHECK (octet_length(hash) = 32 AND octet_length(prev_hash) = 32);

CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash bytea;
BEGIN
    -- Held until commit: the next writer reads this row as the previous one.
    PERFORM pg_advisory_xact_lock(hashtext('renkei.audit_log.chain'));
    SELECT l.seq, l.hash INTO last_seq, last_hash FROM audit_log l ORDER BY l.seq DESC LIMIT 1;
    NEW.at := now();
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash,
        '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    NEW.hash := sha256(audit_log_canonical(NEW.seq, NEW.id, NEW.at, NEW.user_id,
                                           NEW.acting_agency_id, NEW.action, NEW.case_id,
                                           NEW.target_id, NEW.outcome, NEW.request_id, NEW.ip,
                                           NEW.detail, NEW.prev_hash));
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

-- The review pages filter by user, case, action and time and page on id: the case and agency
-- indexes exist (0001, 0010); the user's is kept. Action filters ride on these.
