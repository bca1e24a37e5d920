-- Daily self-reports (SPEC §8), by the person with a limited account or by staff on their
-- behalf; a participant account is a user linked to one case, with no agency.

CREATE TABLE daily_report (
    id                uuid PRIMARY KEY,
    case_id           uuid NOT NULL REFERENCES case_file (id),
    day               date NOT NULL,
    sleep_hours       numeric(3, 1) NOT NULL CHECK (sleep_hours BETWEEN 0 AND 24),
    sleep_quality     smallint NOT NULL CHECK (sleep_quality BETWEEN 1 AND 5),
    medication_taken  boolean NOT NULL,
    appetite          smallint NOT NULL CHECK (appetite BETWEEN 1 AND 5),
    fatigue_recovered boolean NOT NULL,
    mood              smallint NOT NULL CHECK (mood BETWEEN 1 AND 5),
    note              text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    -- a bad day: low mood or sleep, tiredness not recovered, medication missed
    bad               boolean GENERATED ALWAYS AS (mood <= 2 OR sleep_quality <= 2
                          OR NOT fatigue_recovered OR NOT medication_taken) STORED,
    entered_by        uuid NOT NULL REFERENCES app_user (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT daily_report_case_day_key UNIQUE (case_id, day)
);

ALTER TABLE app_user ADD COLUMN participant_case_id uuid REFERENCES case_file (id);
