-- 14: each import's first and last charge id, so that a period's charges
-- are read as the id ranges of its imports (the rowid) instead of by a scan
-- of every charge in the ledger: charges has no index but its rowid, and
-- /charges?period=P and /review?period=P took 2.1-2.7 s on a ledger of
-- twelve 1M-charge months against 0.17-0.2 s on one (issue 30). An import's
-- charges get consecutive ids (writers take turns), so the range holds
-- its charges only; queries still test charges.import_id, so a range is
-- never more than a bound. An index on charges(period) would do the same
-- at 1.6 MB a 100k charges (measured; 6 % of the ledger) and one more
-- B-tree insert a row of every import; the range costs nothing a row.
-- NULL only for an import without charges.
ALTER TABLE imports ADD COLUMN first_charge INTEGER;
ALTER TABLE imports ADD COLUMN last_charge INTEGER;
DROP TRIGGER imports_no_update;
UPDATE imports SET first_charge = r.lo, last_charge = r.hi
  FROM (SELECT import_id, min(id) AS lo, max(id) AS hi FROM charges GROUP BY import_id) AS r
  WHERE r.import_id = imports.id;
CREATE TRIGGER imports_no_update BEFORE UPDATE ON imports WHEN OLD.sha256 <> 'pending'
  BEGIN SELECT RAISE(ABORT, 'imports are immutable'); END;
-- A period's imports in id order (the charge browser's order), and the
-- review assignments of a period (read by every charge page).
CREATE INDEX imports_period ON imports(period);
CREATE INDEX tag_overrides_period ON tag_overrides(period);
