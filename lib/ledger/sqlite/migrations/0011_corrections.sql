-- 11: correcting entries (issue 26). An adjustment can reverse another
-- (adjust void: void_of names it, at most one void each) or move a charge
-- billed in a finalized period to its right owner (correct --charge: a
-- pair of adjustments, each naming the charge in charge_id).
ALTER TABLE adjustments ADD COLUMN void_of INTEGER REFERENCES adjustments(id);
ALTER TABLE adjustments ADD COLUMN charge_id INTEGER;
CREATE UNIQUE INDEX adjustments_void_of ON adjustments(void_of) WHERE void_of IS NOT NULL;
CREATE INDEX adjustments_charge ON adjustments(charge_id) WHERE charge_id IS NOT NULL;
-- And each import's providers (ServiceProviderName or ProviderName of its
-- rows, sorted, one a line), so that --replace can refuse another
-- provider's file. NULL for imports made before: compared by services.
ALTER TABLE imports ADD COLUMN providers TEXT;
-- Remembered owners (review assign --remember): a resource's PI and fund,
-- filled into later imports' rows of that resource that lack them or
-- carry an invalid one. Not tied to a period; removing one is audited.
CREATE TABLE owner_rules (
  id           INTEGER PRIMARY KEY,
  resource_id  TEXT NOT NULL UNIQUE,
  pi_email     TEXT NOT NULL,    -- '' = the rule does not fill it
  fund_org     TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  uses         INTEGER NOT NULL DEFAULT 0,
  last_used_at TEXT NOT NULL DEFAULT ''
);
