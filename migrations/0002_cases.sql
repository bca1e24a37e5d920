-- Cases: the participant, their case, the case team, consent, and the timeline's entry table
-- (the timeline features fill it; team and lead changes write to it from the start).

CREATE TABLE participant (
    id                    uuid PRIMARY KEY,
    family_name           text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 50),
    given_name            text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 50),
    -- katakana (フリガナ), used for sorting and search
    family_kana           text NOT NULL CHECK (length(family_kana) BETWEEN 1 AND 50),
    given_kana            text NOT NULL CHECK (length(given_kana) BETWEEN 1 AND 50),
    birth_date            date NOT NULL,
    disability_categories text[] NOT NULL DEFAULT '{}' CHECK (disability_categories <@ ARRAY[
        'brain_injury', 'mental', 'developmental', 'intellectual', 'physical', 'intractable',
        'other']::text[]),
    municipality          text NOT NULL CHECK (length(municipality) BETWEEN 1 AND 100),
    postal_code           text NOT NULL DEFAULT '' CHECK (postal_code = '' OR postal_code ~ '^[0-9]{3}-[0-9]{4}$'),
    address               text NOT NULL DEFAULT '' CHECK (length(address) <= 300),
    phone                 text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
    email                 text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    family_contacts       text NOT NULL DEFAULT '' CHECK (length(family_contacts) <= 2000),
    notes                 text NOT NULL DEFAULT '' CHECK (length(notes) <= 5000),
    sort_kana             text GENERATED ALWAYS AS (family_kana || ' ' || given_kana) STORED,
    created_by            uuid REFERENCES app_user (id),
    created_at            timestamptz NOT NULL DEFAULT now()
);

-- "case" is an SQL keyword, hence case_file
CREATE TABLE case_file (
    id             uuid PRIMARY KEY,
    participant_id uuid NOT NULL REFERENCES participant (id),
    lead_agency_id uuid NOT NULL REFERENCES agency (id),
    phase          text NOT NULL DEFAULT 'intake' CHECK (phase IN ('intake', 'referred', 'training',
                       'employed', 'retention', 'follow_up', 'closed')),
    opened_on      date NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
-- one open case per participant
CREATE UNIQUE INDEX case_file_one_open_idx ON case_file (participant_id) WHERE phase <> 'closed';
CREATE INDEX case_file_lead_idx ON case_file (lead_agency_id, phase);

-- The team. An agency that leaves keeps its row with left_on set: it reads what it could see
-- until that day and sees the case as handed over.
CREATE TABLE case_agency (
    case_id   uuid NOT NULL REFERENCES case_file (id),
    agency_id uuid NOT NULL REFERENCES agency (id),
    role_text text NOT NULL DEFAULT '' CHECK (length(role_text) <= 100),
    joined_on date NOT NULL,
    left_on   date CHECK (left_on IS NULL OR left_on >= joined_on),
    PRIMARY KEY (case_id, agency_id)
);
-- "which cases is my agency on": every list and dashboard starts here
CREATE INDEX case_agency_agency_idx ON case_agency (agency_id, case_id);

-- What the person (or family, or employer) agreed to share with one receiving agency.
CREATE TABLE consent (
    id            uuid PRIMARY KEY,
    case_id       uuid NOT NULL REFERENCES case_file (id),
    agency_id     uuid NOT NULL REFERENCES agency (id),
    categories    text[] NOT NULL CHECK (cardinality(categories) > 0 AND categories <@ ARRAY[
                      'health', 'assessment', 'training', 'work', 'life', 'contact']::text[]),
    given_by      text NOT NULL CHECK (given_by IN ('person', 'family', 'employer')),
    method        text NOT NULL CHECK (method IN ('written', 'oral')),
    given_on      date NOT NULL,
    valid_until   date CHECK (valid_until IS NULL OR valid_until >= given_on),
    evidence      text NOT NULL DEFAULT '' CHECK (length(evidence) <= 1000),
    recorded_by   uuid NOT NULL REFERENCES app_user (id),
    recorded_as   uuid NOT NULL REFERENCES agency (id),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    revoked_by    uuid REFERENCES app_user (id),
    revoke_reason text NOT NULL DEFAULT '' CHECK (length(revoke_reason) <= 1000),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX consent_case_agency_idx ON consent (case_id, agency_id);
CREATE INDEX consent_expiry_idx ON consent (valid_until) WHERE revoked_at IS NULL;

-- One timeline per case. `case_admin` marks team and lead changes: they carry no personal
-- information, so they need no consent to be seen by the team.
CREATE TABLE entry (
    id               uuid PRIMARY KEY,
    case_id          uuid NOT NULL REFERENCES case_file (id),
    author_user_id   uuid NOT NULL REFERENCES app_user (id),
    author_agency_id uuid NOT NULL REFERENCES agency (id),
    kind             text NOT NULL CHECK (kind IN ('readiness', 'referral', 'progress', 'observation',
                         'contact', 'meeting', 'assessment', 'daily', 'handover', 'note')),
    category         text NOT NULL CHECK (category IN ('health', 'assessment', 'training', 'work',
                         'life', 'contact', 'case_admin')),
    occurred_at      timestamptz NOT NULL,
    body             text NOT NULL DEFAULT '' CHECK (length(body) <= 20000),
    -- the agencies the author shared it with (the author's own agency always sees it)
    shared_with      uuid[] NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entry_case_time_idx ON entry (case_id, occurred_at DESC, id DESC);
