-- Case lists in kana order from an index. Every list of an agency's cases (the dashboard's
-- panels, /cases) sorted all of the agency's cases by kana on each call — hundreds of ICU
-- comparisons and three joins per row, the slowest part of the dashboard. The team row now
-- carries what those lists filter and sort on, copied by triggers, so one index gives the
-- first page in order and the lists join only the rows they show.

ALTER TABLE case_agency
    ADD COLUMN sort_kana text,
    ADD COLUMN phase     text,
    ADD COLUMN is_lead   boolean;

-- refreshes the copies of every team row of the given cases (all cases when NULL)
CREATE FUNCTION case_agency_refresh_keys(only_case uuid) RETURNS void LANGUAGE sql AS $$
    UPDATE case_agency ca
       SET sort_kana = p.sort_kana, phase = c.phase, is_lead = (c.lead_agency_id = ca.agency_id)
      FROM case_file c JOIN participant p ON p.id = c.participant_id
     WHERE c.id = ca.case_id AND (only_case IS NULL OR ca.case_id = only_case)
       AND (ca.sort_kana IS DISTINCT FROM p.sort_kana OR ca.phase IS DISTINCT FROM c.phase
            OR ca.is_lead IS DISTINCT FROM (c.lead_agency_id = ca.agency_id));
$$;

SELECT case_agency_refresh_keys(NULL);

CREATE FUNCTION case_agency_fill_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT p.sort_kana, c.phase, c.lead_agency_id = NEW.agency_id
      INTO NEW.sort_kana, NEW.phase, NEW.is_lead
      FROM case_file c JOIN participant p ON p.id = c.participant_id
     WHERE c.id = NEW.case_id;
    RETURN NEW;
END $$;
CREATE TRIGGER case_agency_fill_keys BEFORE INSERT ON case_agency
    FOR EACH ROW EXECUTE FUNCTION case_agency_fill_keys();

CREATE FUNCTION case_file_copy_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM case_agency_refresh_keys(NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER case_file_copy_keys AFTER UPDATE OF phase, lead_agency_id, participant_id ON case_file
    FOR EACH ROW EXECUTE FUNCTION case_file_copy_keys();

CREATE FUNCTION participant_copy_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM case_agency_refresh_keys(c.id) FROM case_file c WHERE c.participant_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER participant_copy_keys AFTER UPDATE OF family_kana, given_kana ON participant
    FOR EACH ROW EXECUTE FUNCTION participant_copy_keys();

ALTER TABLE case_agency
    ALTER COLUMN sort_kana SET NOT NULL,
    ALTER COLUMN phase SET NOT NULL,
    ALTER COLUMN is_lead SET NOT NULL;

-- an agency's cases in kana order; phase, lead and leaving ride along for the lists' filters
CREATE INDEX case_agency_kana_idx ON case_agency (agency_id, (sort_kana COLLATE "ja-x-icu"), case_id)
    INCLUDE (phase, is_lead, left_on);

-- The same for the dashboard's coming meetings: they walked every scheduled meeting of the
-- region in time order, probing each for an invitation of the agency. The invitation now
-- carries the meeting's time and status, so the agency's coming meetings are one index range.
ALTER TABLE meeting_invitee
    ADD COLUMN starts_at timestamptz,
    ADD COLUMN status    text;

UPDATE meeting_invitee i SET starts_at = m.starts_at, status = m.status
  FROM meeting m WHERE m.id = i.meeting_id;

CREATE FUNCTION meeting_invitee_fill_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT m.starts_at, m.status INTO NEW.starts_at, NEW.status
      FROM meeting m WHERE m.id = NEW.meeting_id;
    RETURN NEW;
END $$;
CREATE TRIGGER meeting_invitee_fill_keys BEFORE INSERT ON meeting_invitee
    FOR EACH ROW EXECUTE FUNCTION meeting_invitee_fill_keys();

CREATE FUNCTION meeting_copy_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE meeting_invitee SET starts_at = NEW.starts_at, status = NEW.status
     WHERE meeting_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER meeting_copy_keys AFTER UPDATE OF starts_at, status ON meeting
    FOR EACH ROW EXECUTE FUNCTION meeting_copy_keys();

ALTER TABLE meeting_invitee
    ALTER COLUMN starts_at SET NOT NULL,
    ALTER COLUMN status SET NOT NULL;

CREATE INDEX meeting_invitee_coming_idx ON meeting_invitee (agency_id, starts_at)
    WHERE status = 'scheduled';

-- The agency's open tasks by due date then id, as the dashboard and /tasks list them: with the
-- id in the index the first page is read in order, not sorted.
DROP INDEX task_owner_idx;
CREATE INDEX task_owner_idx ON task (owner_agency_id, status, due_on, id);
