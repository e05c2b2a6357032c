-- 7: correcting entries (see SQLite's migration 11): void_of names the
-- adjustment a void reverses (at most one void each), charge_id the charge
-- a correction pair moves to another owner.
ALTER TABLE adjustments ADD COLUMN void_of BIGINT REFERENCES adjustments(id);
ALTER TABLE adjustments ADD COLUMN charge_id BIGINT;
CREATE UNIQUE INDEX adjustments_void_of ON adjustments(void_of) WHERE void_of IS NOT NULL;
CREATE INDEX adjustments_charge ON adjustments(charge_id) WHERE charge_id IS NOT NULL;
-- And each import's providers (see SQLite's migration 11).
ALTER TABLE imports ADD COLUMN providers TEXT COLLATE "C";
-- Remembered owners (see SQLite's migration 11).
CREATE TABLE owner_rules (
  id           BIGINT PRIMARY KEY,
  resource_id  TEXT COLLATE "C" NOT NULL UNIQUE,
  pi_email     TEXT COLLATE "C" NOT NULL,
  fund_org     TEXT COLLATE "C" NOT NULL,
  created_at   TEXT COLLATE "C" NOT NULL,
  created_by   TEXT COLLATE "C" NOT NULL,
  uses         BIGINT NOT NULL DEFAULT 0,
  last_used_at TEXT COLLATE "C" NOT NULL DEFAULT ''
);
