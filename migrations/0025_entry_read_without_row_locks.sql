-- A read mark's foreign keys locked the entry (and the user) it names FOR KEY SHARE: marking a
-- page's 50 entries read dirtied up to 50 heap pages of `entry`, and after every checkpoint each
-- of them went into the WAL whole. Measured at 1M entries with every view a first view: 146 kB
-- of WAL per timeline view with the keys, 11 kB without (41,000 → 1,100 full-page images a run);
-- under the soak the checkpoints came every 40–60 s and the app fell behind. Entries and users
-- are never deleted (an entry's edits are versions, a user is deactivated), and a mark is only
-- written for an entry the same request read, so the keys guarded nothing that can happen.
ALTER TABLE entry_read
    DROP CONSTRAINT entry_read_entry_id_fkey,
    DROP CONSTRAINT entry_read_user_id_fkey;
