-- The ledger's pages are read newest first in pages of a fixed size (keyset on month, day and
-- id): each index now ends with the id, so that a page is one range of it, in order.
CREATE INDEX provision_provider_key_idx ON provision (provider_agency_id, month, provided_on, id);
CREATE INDEX provision_receiver_key_idx ON provision (receiver_agency_id, month, provided_on, id);
CREATE INDEX provision_case_key_idx ON provision (case_id, month, provided_on, id);
DROP INDEX provision_provider_idx;
DROP INDEX provision_receiver_idx;
DROP INDEX provision_case_idx;
