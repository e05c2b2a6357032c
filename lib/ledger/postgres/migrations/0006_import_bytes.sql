-- 6: each import's size in bytes (see SQLite's migration 10): a regular
-- file is hashed before its import only when an import of its source has
-- its size. NULL for imports made before.
ALTER TABLE imports ADD COLUMN bytes BIGINT;
