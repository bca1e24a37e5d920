-- The agency directory (SPEC §9): a profile per agency, its programs, staff cards with photos,
-- and open events. Shaped after Open Referral HSDS where it fits: the agency is the
-- organization and its location, a program is a service, eligibility and languages are
-- fields of the profile. Directory data is public to every signed-in user; it holds no
-- personal data of participants.

CREATE TABLE agency_profile (
    agency_id        uuid PRIMARY KEY REFERENCES agency (id),
    -- the one line shown on the directory card
    tagline          text NOT NULL DEFAULT '' CHECK (length(tagline) <= 80),
    features         text NOT NULL DEFAULT '' CHECK (length(features) <= 2000),
    -- municipalities served, NFKC; the agency's own municipality is always served
    area_served      text[] NOT NULL DEFAULT '{}',
    hours            text NOT NULL DEFAULT '' CHECK (length(hours) <= 200),
    email            text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    website          text NOT NULL DEFAULT '' CHECK (length(website) <= 300),
    -- codes: teens, 20s, 30s, 40s, 50s, 60plus
    age_bands        text[] NOT NULL DEFAULT '{}',
    -- codes of case::Disability: brain_injury (高次脳機能障害), mental, developmental, …
    disability_types text[] NOT NULL DEFAULT '{}',
    -- who uses it, as the agency states it (定員、現在の利用者数、内訳)
    users_summary    text NOT NULL DEFAULT '' CHECK (length(users_summary) <= 1000),
    eligibility      text NOT NULL DEFAULT '' CHECK (length(eligibility) <= 1000),
    languages        text[] NOT NULL DEFAULT '{}',
    higher_brain_support text NOT NULL DEFAULT '' CHECK (length(higher_brain_support) <= 2000),
    other_support    text NOT NULL DEFAULT '' CHECK (length(other_support) <= 2000),
    limitations      text NOT NULL DEFAULT '' CHECK (length(limitations) <= 1000),
    case_examples    text NOT NULL DEFAULT '' CHECK (length(case_examples) <= 3000),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       uuid REFERENCES app_user (id)
);

CREATE TABLE agency_program (
    id          uuid PRIMARY KEY,
    agency_id   uuid NOT NULL REFERENCES agency (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    schedule    text NOT NULL DEFAULT '' CHECK (length(schedule) <= 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agency_program_agency_idx ON agency_program (agency_id, created_at);

CREATE TABLE agency_staff (
    id             uuid PRIMARY KEY,
    agency_id      uuid NOT NULL REFERENCES agency (id),
    -- the member the card is about: they may edit it themselves
    user_id        uuid REFERENCES app_user (id) ON DELETE SET NULL,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    job_title      text NOT NULL DEFAULT '' CHECK (length(job_title) <= 100),
    qualifications text NOT NULL DEFAULT '' CHECK (length(qualifications) <= 300),
    introduction   text NOT NULL DEFAULT '' CHECK (length(introduction) <= 1000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agency_staff_agency_idx ON agency_staff (agency_id, created_at);
CREATE INDEX agency_staff_user_idx ON agency_staff (user_id);

-- Kept apart so that listing cards never reads image bytes. Only re-encoded images are stored.
CREATE TABLE agency_staff_photo (
    staff_id     uuid PRIMARY KEY REFERENCES agency_staff (id) ON DELETE CASCADE,
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes        bytea NOT NULL CHECK (length(bytes) <= 2 * 1024 * 1024),
    -- hex SHA-256 of bytes: the ETag and the cache-busting part of the URL
    sha256       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agency_event (
    id           uuid PRIMARY KEY,
    agency_id    uuid NOT NULL REFERENCES agency (id),
    kind         text NOT NULL CHECK (kind IN ('open_house', 'trial', 'talk', 'other')),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz,
    place        text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    how_to_apply text NOT NULL DEFAULT '' CHECK (length(how_to_apply) <= 500),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX agency_event_agency_idx ON agency_event (agency_id, starts_at);
