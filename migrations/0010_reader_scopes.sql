-- A meeting's material is computed for each reader when read: the generated sections (support
-- history, checklist results, action items) follow the entry rule for the agency reading them.
-- What is stored is only the convener's own text, with the information category that decides
-- who else reads it; NULL keeps it to the convening agency (as for every text drafted before).
ALTER TABLE meeting
    ADD COLUMN material_category text
        CHECK (material_category IN ('health', 'assessment', 'training', 'work', 'life',
                                     'contact', 'case_admin'));

-- An agency's audit page lists what was done as that agency (not what its members did for
-- other agencies before they joined), newest first.
CREATE INDEX audit_log_agency_idx ON audit_log (acting_agency_id, id DESC);
