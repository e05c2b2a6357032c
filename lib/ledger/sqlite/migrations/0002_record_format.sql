-- 2: records are stored as JSON arrays from now on; imports made before
-- keep their CSV records, and export reads either by this column.
ALTER TABLE imports ADD COLUMN record_format TEXT NOT NULL DEFAULT 'csv';
