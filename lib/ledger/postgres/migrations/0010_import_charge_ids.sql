-- 10: each import's first and last charge id (SQLite's migration 14): a
-- period's charges are read as index ranges of charges' primary key, one
-- per import, instead of a sequential scan of every charge in the ledger
-- (no index on charges(period): each row of an import would pay for one).
-- NULL only for an import without charges.
ALTER TABLE imports ADD COLUMN first_charge BIGINT, ADD COLUMN last_charge BIGINT;
ALTER TABLE imports DISABLE TRIGGER imports_guard;
UPDATE imports SET first_charge = r.lo, last_charge = r.hi
  FROM (SELECT import_id, min(id) AS lo, max(id) AS hi FROM charges GROUP BY import_id) AS r
  WHERE r.import_id = imports.id;
ALTER TABLE imports ENABLE TRIGGER imports_guard;
CREATE INDEX imports_period ON imports(period, id);
CREATE INDEX tag_overrides_period ON tag_overrides(period);
-- Removing or replacing an import removes its charges by their id range
-- (the primary key), not by a sequential scan of every charge. An import
-- without a range (none is stored so) still goes by its import id.
CREATE OR REPLACE FUNCTION ocb_imports_delete_charges() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM charges c USING old_rows o WHERE c.id BETWEEN o.first_charge AND o.last_charge AND c.import_id = o.id;
  IF EXISTS (SELECT 1 FROM old_rows WHERE first_charge IS NULL) THEN
    DELETE FROM charges c USING old_rows o WHERE o.first_charge IS NULL AND c.import_id = o.id;
  END IF;
  RETURN NULL;
END $$;
