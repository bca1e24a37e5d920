-- 支援レポート (the monthly support report of the retention service): drafted by the retention
-- office from the month's entries the employer may see plus the staff's summary, issued to the
-- employer, and acknowledged by the employer's users (「確認しました」). Every saved draft is a
-- version of its own (never updated); the issued version is frozen by being referenced. The
-- issue and the acknowledgement are kept as facts on the report (and audited).
CREATE TABLE support_report (
    id                 uuid PRIMARY KEY,
    case_id            uuid NOT NULL REFERENCES case_file (id),
    -- the retention office that writes it
    agency_id          uuid NOT NULL REFERENCES agency (id),
    -- the employer it is written for (an employer agency on the team when it was drafted)
    employer_agency_id uuid NOT NULL REFERENCES agency (id),
    -- the first day of the month it reports on
    month              date NOT NULL CHECK (extract(day FROM month) = 1),
    created_by         uuid NOT NULL REFERENCES app_user (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    issued_version_id  uuid,
    issued_on          date,
    issued_by          uuid REFERENCES app_user (id),
    issued_at          timestamptz,
    acknowledged_by    uuid REFERENCES app_user (id),
    acknowledged_at    timestamptz,
    UNIQUE (case_id, agency_id, month),
    CHECK ((issued_at IS NULL) = (issued_version_id IS NULL)
           AND (issued_at IS NULL) = (issued_by IS NULL)
           AND (issued_at IS NULL) = (issued_on IS NULL)),
    CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL)),
    CHECK (acknowledged_at IS NULL OR issued_at IS NOT NULL)
);
CREATE INDEX support_report_case_idx ON support_report (case_id, month);
CREATE INDEX support_report_employer_idx ON support_report (employer_agency_id)
    WHERE issued_at IS NOT NULL AND acknowledged_at IS NULL;

CREATE TABLE support_report_version (
    id          uuid PRIMARY KEY,
    report_id   uuid NOT NULL REFERENCES support_report (id),
    version_no  int NOT NULL CHECK (version_no > 0),
    -- 当月の支援記録: prefilled from the month's entries the employer may see
    activity    text NOT NULL CHECK (length(activity) <= 20000),
    -- 本人の状況, 実施した支援, 職場への依頼・確認事項, 今後の方針
    situation   text NOT NULL CHECK (length(situation) BETWEEN 1 AND 5000),
    support     text NOT NULL CHECK (length(support) BETWEEN 1 AND 5000),
    requests    text NOT NULL CHECK (length(requests) BETWEEN 1 AND 5000),
    next_steps  text NOT NULL CHECK (length(next_steps) BETWEEN 1 AND 5000),
    saved_by    uuid NOT NULL REFERENCES app_user (id),
    saved_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (report_id, version_no)
);

ALTER TABLE support_report ADD CONSTRAINT support_report_issued_version_fkey
    FOREIGN KEY (issued_version_id) REFERENCES support_report_version (id);

-- 支援体制構築: the hand-over before the end of the retention service — when it started, to
-- whom, the consent it relied on, and what was shared.
CREATE TABLE support_handover (
    id           uuid PRIMARY KEY,
    case_id      uuid NOT NULL REFERENCES case_file (id),
    agency_id    uuid NOT NULL REFERENCES agency (id),
    to_agency_id uuid NOT NULL REFERENCES agency (id),
    consent_id   uuid NOT NULL REFERENCES consent (id),
    started_on   date NOT NULL,
    shared       text NOT NULL CHECK (length(shared) BETWEEN 1 AND 5000),
    recorded_by  uuid NOT NULL REFERENCES app_user (id),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_handover_case_idx ON support_handover (case_id, started_on);

SELECT renkei_grant_app();
