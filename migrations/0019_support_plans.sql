-- 個別支援計画 (the individual support plan) and its cycle: アセスメント → 原案 → 担当者会議 →
-- 本人の同意 → 交付 → モニタリング → the next plan. A plan belongs to the agency that provides
-- the service on the case; every saved draft is a version of its own (never updated), and the
-- version consented to and delivered is frozen by being referenced.
CREATE TABLE support_plan (
    id               uuid PRIMARY KEY,
    case_id          uuid NOT NULL REFERENCES case_file (id),
    agency_id        uuid NOT NULL REFERENCES agency (id),
    service          text NOT NULL CHECK (service IN ('transition', 'training', 'retention',
                         'type_a', 'type_b', 'other')),
    -- the consent category a delivery to another agency relies on (domain::plan::Service)
    category         text NOT NULL CHECK (category IN ('training', 'work')),
    -- the plan this one follows (the next plan starts from the last one)
    previous_id      uuid REFERENCES support_plan (id),
    -- the number of the plan for this agency on the case: 1 for the first
    seq              int NOT NULL CHECK (seq > 0),
    service_start_on date,
    -- the assessment record the plan starts from
    assessed_on      date NOT NULL,
    assessment       text NOT NULL CHECK (length(assessment) <= 20000),
    created_by       uuid NOT NULL REFERENCES app_user (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_id, agency_id, seq)
);
CREATE INDEX support_plan_case_idx ON support_plan (case_id, agency_id);

CREATE TABLE support_plan_version (
    id            uuid PRIMARY KEY,
    plan_id       uuid NOT NULL REFERENCES support_plan (id),
    version_no    int NOT NULL CHECK (version_no > 0),
    plan_date     date NOT NULL,
    -- 作成者: the サービス管理責任者, a user of the plan's agency
    manager_id    uuid NOT NULL REFERENCES app_user (id),
    wishes        text NOT NULL CHECK (length(wishes) <= 5000),
    policy        text NOT NULL CHECK (length(policy) <= 5000),
    period_from   date NOT NULL,
    period_to     date NOT NULL CHECK (period_to >= period_from),
    saved_by      uuid NOT NULL REFERENCES app_user (id),
    saved_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_id, version_no)
);

CREATE TABLE support_plan_goal (
    version_id uuid NOT NULL REFERENCES support_plan_version (id),
    position   int NOT NULL,
    term       text NOT NULL CHECK (term IN ('long', 'short')),
    text       text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    target_on  date NOT NULL,
    PRIMARY KEY (version_id, position)
);

CREATE TABLE support_plan_row (
    version_id uuid NOT NULL REFERENCES support_plan_version (id),
    position   int NOT NULL,
    what       text NOT NULL CHECK (length(what) BETWEEN 1 AND 1000),
    who        text NOT NULL CHECK (length(who) <= 200),
    frequency  text NOT NULL CHECK (length(frequency) <= 200),
    place      text NOT NULL CHECK (length(place) <= 200),
    period     text NOT NULL CHECK (length(period) <= 200),
    -- the row is the basis of an 加算
    addition   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (version_id, position)
);

-- 担当者会議 (サービス担当者会議 / 個別支援会議): a case meeting, or an internal record.
CREATE TABLE support_plan_meeting (
    plan_id     uuid PRIMARY KEY REFERENCES support_plan (id),
    meeting_id  uuid REFERENCES meeting (id),
    held_on     date NOT NULL,
    attendees   text NOT NULL CHECK (length(attendees) <= 1000),
    minutes     text NOT NULL CHECK (length(minutes) <= 10000),
    recorded_by uuid NOT NULL REFERENCES app_user (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- 本人の同意: to one version.
CREATE TABLE support_plan_consent (
    plan_id      uuid PRIMARY KEY REFERENCES support_plan (id),
    version_id   uuid NOT NULL REFERENCES support_plan_version (id),
    consented_on date NOT NULL,
    method       text NOT NULL CHECK (method IN ('signature', 'name_seal', 'oral')),
    consenter    text NOT NULL CHECK (length(consenter) BETWEEN 1 AND 200),
    recorded_by  uuid NOT NULL REFERENCES app_user (id),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

-- 交付: to the person (agency_id NULL), and to an agency on the team (the 相談支援事業所) under
-- the consent it relied on.
CREATE TABLE support_plan_delivery (
    id           uuid PRIMARY KEY,
    plan_id      uuid NOT NULL REFERENCES support_plan (id),
    version_id   uuid NOT NULL REFERENCES support_plan_version (id),
    agency_id    uuid REFERENCES agency (id),
    consent_id   uuid REFERENCES consent (id),
    delivered_on date NOT NULL,
    recorded_by  uuid NOT NULL REFERENCES app_user (id),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((agency_id IS NULL) = (consent_id IS NULL))
);
CREATE UNIQUE INDEX support_plan_delivery_person_idx ON support_plan_delivery (plan_id)
    WHERE agency_id IS NULL;
CREATE UNIQUE INDEX support_plan_delivery_agency_idx ON support_plan_delivery (plan_id, agency_id)
    WHERE agency_id IS NOT NULL;
CREATE INDEX support_plan_delivery_reader_idx ON support_plan_delivery (agency_id, plan_id);

-- モニタリング
CREATE TABLE support_plan_monitoring (
    id            uuid PRIMARY KEY,
    plan_id       uuid NOT NULL REFERENCES support_plan (id),
    held_on       date NOT NULL,
    findings      text NOT NULL CHECK (length(findings) BETWEEN 1 AND 10000),
    change_needed boolean NOT NULL,
    recorded_by   uuid NOT NULL REFERENCES app_user (id),
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_plan_monitoring_plan_idx ON support_plan_monitoring (plan_id, held_on);

SELECT renkei_grant_app();
