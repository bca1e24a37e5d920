-- Case meetings (ケース会議): scheduling with invitations, the drafted material, minutes, and
-- the action items the minutes assign; per-user calendar feeds at secret, revocable URLs.

CREATE TABLE meeting (
    id                 uuid PRIMARY KEY,
    case_id            uuid NOT NULL REFERENCES case_file (id),
    convener_user_id   uuid NOT NULL REFERENCES app_user (id),
    convener_agency_id uuid NOT NULL REFERENCES agency (id),
    purpose            text NOT NULL CHECK (purpose IN ('support_plan', 'service_start',
                           'retention_handover', 'service_end_handover', 'maladjustment', 'other')),
    purpose_note       text NOT NULL DEFAULT '' CHECK (length(purpose_note) <= 200),
    starts_at          timestamptz NOT NULL,
    duration_minutes   integer NOT NULL CHECK (duration_minutes BETWEEN 15 AND 480),
    place              text NOT NULL DEFAULT '' CHECK (length(place) <= 300),
    online_url         text NOT NULL DEFAULT '' CHECK (length(online_url) <= 500),
    phone              text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
    person_attends     boolean NOT NULL DEFAULT false,
    family_attends     boolean NOT NULL DEFAULT false,
    status             text NOT NULL DEFAULT 'scheduled'
                           CHECK (status IN ('scheduled', 'held', 'cancelled')),
    -- bumped on every reschedule or cancellation, for calendar clients (RFC 5545 SEQUENCE)
    sequence           integer NOT NULL DEFAULT 0,
    material           text NOT NULL DEFAULT '' CHECK (length(material) <= 50000),
    material_html      text NOT NULL DEFAULT '',
    material_by        uuid REFERENCES app_user (id),
    material_at        timestamptz,
    attendees          text NOT NULL DEFAULT '' CHECK (length(attendees) <= 2000),
    discussion         text NOT NULL DEFAULT '' CHECK (length(discussion) <= 20000),
    decisions          text NOT NULL DEFAULT '' CHECK (length(decisions) <= 20000),
    held_at            timestamptz,
    cancel_reason      text NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 1000),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meeting_case_idx ON meeting (case_id, starts_at DESC);
CREATE INDEX meeting_time_idx ON meeting (starts_at) WHERE status = 'scheduled';

-- Invited agencies (every member sees the invitation; one answer per agency) and, optionally,
-- a named person of that agency — also of agencies not yet on the team.
CREATE TABLE meeting_invitee (
    meeting_id     uuid NOT NULL REFERENCES meeting (id),
    agency_id      uuid NOT NULL REFERENCES agency (id),
    user_id        uuid REFERENCES app_user (id),
    response       text NOT NULL DEFAULT 'pending'
                       CHECK (response IN ('pending', 'attend', 'decline', 'tentative')),
    responded_by   uuid REFERENCES app_user (id),
    responded_at   timestamptz,
    -- why an agency without the person's consent was invited anyway
    consent_reason text NOT NULL DEFAULT '' CHECK (length(consent_reason) <= 500),
    PRIMARY KEY (meeting_id, agency_id)
);
CREATE INDEX meeting_invitee_agency_idx ON meeting_invitee (agency_id, meeting_id);

CREATE TABLE action_item (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES case_file (id),
    meeting_id      uuid REFERENCES meeting (id),
    owner_agency_id uuid NOT NULL REFERENCES agency (id),
    owner_user_id   uuid REFERENCES app_user (id),
    -- 誰が・いつ・どのように・何をする
    what            text NOT NULL CHECK (length(what) BETWEEN 1 AND 1000),
    how             text NOT NULL DEFAULT '' CHECK (length(how) <= 1000),
    due_on          date NOT NULL,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    done_note       text NOT NULL DEFAULT '' CHECK (length(done_note) <= 1000),
    done_by         uuid REFERENCES app_user (id),
    done_at         timestamptz,
    created_by      uuid NOT NULL REFERENCES app_user (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_item_owner_idx ON action_item (owner_agency_id, status, due_on);
CREATE INDEX action_item_case_idx ON action_item (case_id, status, due_on);

-- A user's calendar feed: only the hash of the secret in the URL is kept; a new one revokes it.
CREATE TABLE calendar_feed (
    user_id    uuid PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
