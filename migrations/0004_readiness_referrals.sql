-- Checklists as data (instrument → domains → items), readiness assessments, the pre-referral
-- information, and referrals with their state history.

CREATE TABLE instrument (
    id      text PRIMARY KEY,
    name_ja text NOT NULL,
    name_en text NOT NULL,
    -- 'met3': met / not yet / unknown; 'likert5': 1..5
    scale   text NOT NULL CHECK (scale IN ('met3', 'likert5')),
    -- 'all_met': ready when every item is met; 'domain_mean': mean per domain, one decimal
    scoring text NOT NULL CHECK (scoring IN ('all_met', 'domain_mean'))
);

CREATE TABLE instrument_domain (
    instrument_id text NOT NULL REFERENCES instrument (id),
    position      integer NOT NULL,
    name_ja       text NOT NULL,
    name_en       text NOT NULL,
    PRIMARY KEY (instrument_id, position)
);

CREATE TABLE instrument_item (
    instrument_id   text NOT NULL REFERENCES instrument (id),
    code            text NOT NULL,
    domain_position integer NOT NULL,
    position        integer NOT NULL,
    text_ja         text NOT NULL,
    text_en         text NOT NULL,
    PRIMARY KEY (instrument_id, code),
    FOREIGN KEY (instrument_id, domain_position) REFERENCES instrument_domain (instrument_id, position)
);

INSERT INTO instrument VALUES
    ('readiness', '就労移行支援への紹介準備チェック', 'Referral readiness checklist', 'met3', 'all_met');
INSERT INTO instrument_domain VALUES
    ('readiness', 1, '紹介の目安（すべて満たすとき紹介を勧める）', 'Criteria (refer when all are met)');
INSERT INTO instrument_item VALUES
    ('readiness', 'near', 1, 1, '住所が事業所と近い', 'Lives near the office'),
    ('readiness', 'attendance', 1, 2, '安定してデイケアに通える', 'Attends day care stably'),
    ('readiness', 'stamina', 1, 3, '1日過ごす体力がある', 'Has the stamina for a whole day'),
    ('readiness', 'awareness', 1, 4, 'ある程度の障害認識があり代償手段を使おうとしている',
        'Some awareness of the disability; tries compensatory strategies'),
    ('readiness', 'experiential', 1, 5, '予測的気づきがなくても体験的気づきがある',
        'Experiential awareness, even without anticipatory awareness'),
    ('readiness', 'openness', 1, 6, '他者の意見を受け入れられる', 'Accepts others'' opinions');

CREATE TABLE assessment (
    id            uuid PRIMARY KEY,
    case_id       uuid NOT NULL REFERENCES case_file (id),
    instrument_id text NOT NULL REFERENCES instrument (id),
    author_user_id   uuid NOT NULL REFERENCES app_user (id),
    author_agency_id uuid NOT NULL REFERENCES agency (id),
    assessed_on   date NOT NULL,
    -- the timeline entry that announces it (its visibility is the assessment's)
    entry_id      uuid NOT NULL REFERENCES entry (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assessment_case_idx ON assessment (case_id, instrument_id, assessed_on DESC, created_at DESC);

CREATE TABLE assessment_item (
    assessment_id uuid NOT NULL REFERENCES assessment (id),
    code          text NOT NULL,
    -- met3: 'met' | 'not_yet' | 'unknown'; likert5: '1'..'5'
    value         text NOT NULL,
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    PRIMARY KEY (assessment_id, code)
);

-- Pre-referral information, written over time; each save is kept, the newest per item shown.
CREATE TABLE prereferral_note (
    id               uuid PRIMARY KEY,
    case_id          uuid NOT NULL REFERENCES case_file (id),
    item             text NOT NULL CHECK (item IN ('course', 'work_before', 'previous_job',
                         'work_attitude', 'why_work', 'desired_work', 'why_earn', 'visit_questions')),
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    -- the kind of information, for consent: the course since the injury is health, work
    -- history is work, the visit's questions are training, the rest is life
    category         text NOT NULL CHECK (category IN ('health', 'work', 'life', 'training')),
    author_user_id   uuid NOT NULL REFERENCES app_user (id),
    author_agency_id uuid NOT NULL REFERENCES agency (id),
    written_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX prereferral_note_case_idx ON prereferral_note (case_id, item, written_at DESC);

CREATE TABLE referral (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES case_file (id),
    from_agency_id  uuid NOT NULL REFERENCES agency (id),
    to_agency_id    uuid NOT NULL REFERENCES agency (id),
    state           text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'sent', 'acknowledged',
                        'visit_scheduled', 'trial', 'accepted', 'declined', 'withdrawn')),
    hopes           text NOT NULL DEFAULT '' CHECK (length(hopes) <= 5000),
    assessment_id   uuid REFERENCES assessment (id),
    -- what was sent, frozen at sending: the receiver reads exactly this
    packet          jsonb,
    visit_on        date,
    service_start   date,
    created_by      uuid NOT NULL REFERENCES app_user (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (from_agency_id <> to_agency_id)
);
-- one open referral per case and receiving agency
CREATE UNIQUE INDEX referral_one_open_idx ON referral (case_id, to_agency_id)
    WHERE state NOT IN ('accepted', 'declined', 'withdrawn');
CREATE INDEX referral_to_idx ON referral (to_agency_id, updated_at DESC) WHERE state <> 'draft';
CREATE INDEX referral_from_idx ON referral (from_agency_id, updated_at DESC);

CREATE TABLE referral_event (
    id             uuid PRIMARY KEY,
    referral_id    uuid NOT NULL REFERENCES referral (id),
    from_state     text,
    to_state       text NOT NULL,
    user_id        uuid NOT NULL REFERENCES app_user (id),
    agency_id      uuid NOT NULL REFERENCES agency (id),
    at             timestamptz NOT NULL DEFAULT now(),
    note           text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    decline_reason text
);
CREATE INDEX referral_event_idx ON referral_event (referral_id, at);

ALTER TABLE case_file ADD COLUMN training_started_on date;
