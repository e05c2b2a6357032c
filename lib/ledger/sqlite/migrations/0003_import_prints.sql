-- 3: row fingerprints of each import (sorted 8-byte values, one blob an
-- import), to refuse the same charges under a second source.
CREATE TABLE import_prints (
  import_id INTEGER PRIMARY KEY REFERENCES imports(id) ON DELETE CASCADE,
  prints    BLOB NOT NULL
);
