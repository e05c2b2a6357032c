-- 6: disputes PIs file from their statement page (pidispute.go): the
-- statement line they name (its key text; '' = the whole statement or a
-- charge id) and the origin (cli, web or pi; '' for disputes recorded
-- before this migration, which were all entered by staff).
ALTER TABLE disputes ADD COLUMN line TEXT NOT NULL DEFAULT '';
ALTER TABLE disputes ADD COLUMN origin TEXT NOT NULL DEFAULT '';
