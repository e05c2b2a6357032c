-- 1: the schema. A finalized period is permanent: each period-bound table
-- has a trigger per INSERT, UPDATE and DELETE refusing the change once its
-- period is finalized (the *_final_* triggers at the end).

CREATE TABLE periods (
  period       TEXT PRIMARY KEY CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
  state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','closed','finalized')),
  closed_at    TEXT,
  finalized_at TEXT
);
CREATE TABLE imports (
  id           INTEGER PRIMARY KEY,
  period       TEXT NOT NULL REFERENCES periods(period),
  source       TEXT NOT NULL,
  file_name    TEXT NOT NULL,
  sha256       TEXT NOT NULL,
  header       TEXT NOT NULL,          -- JSON array of column names
  rows         INTEGER NOT NULL,
  flagged      INTEGER NOT NULL,
  list_total   TEXT NOT NULL,
  billed_total TEXT NOT NULL,
  imported_at  TEXT NOT NULL,
  imported_by  TEXT NOT NULL
);
CREATE UNIQUE INDEX imports_sha ON imports(period, source, sha256);
CREATE TABLE charges (
  id                 INTEGER PRIMARY KEY,
  import_id          INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  period             TEXT NOT NULL,
  line               INTEGER NOT NULL,
  record             TEXT NOT NULL,    -- the row's cells, one CSV record
  pi_email           TEXT NOT NULL,
  pi_name            TEXT NOT NULL,
  project_id         TEXT NOT NULL,
  fund_org           TEXT NOT NULL,
  cost_center        TEXT NOT NULL,
  account_code       TEXT NOT NULL,
  end_date           TEXT NOT NULL,
  reconciliation_end TEXT NOT NULL,
  ref1               TEXT NOT NULL,
  ref2               TEXT NOT NULL,
  service_name       TEXT NOT NULL,
  service_category   TEXT NOT NULL,
  resource_id        TEXT NOT NULL,
  resource_name      TEXT NOT NULL,
  quantity           TEXT NOT NULL,
  unit               TEXT NOT NULL,
  list_cost          TEXT NOT NULL,    -- exact decimal text, summed in Go
  billed_cost        TEXT NOT NULL,
  currency           TEXT NOT NULL
);
CREATE TABLE review (
  charge_id  INTEGER PRIMARY KEY REFERENCES charges(id) ON DELETE CASCADE,
  period     TEXT NOT NULL,
  flags      TEXT NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('pending','approved','rejected')),
  decided_by TEXT,
  decided_at TEXT,
  note       TEXT
);
CREATE INDEX review_period ON review(period, status);
CREATE TABLE tag_overrides (
  charge_id INTEGER NOT NULL REFERENCES charges(id) ON DELETE CASCADE,
  period    TEXT NOT NULL,
  role      TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (charge_id, role)
);
CREATE TABLE adjustments (
  id         INTEGER PRIMARY KEY,
  period     TEXT NOT NULL REFERENCES periods(period),
  pi_email   TEXT NOT NULL,
  project_id TEXT NOT NULL,
  fund_org   TEXT NOT NULL,
  amount     TEXT NOT NULL,
  reason     TEXT NOT NULL,
  ref        TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE disputes (
  id          INTEGER PRIMARY KEY,
  period      TEXT NOT NULL REFERENCES periods(period),
  pi_email    TEXT NOT NULL,
  charge_id   INTEGER,
  reason      TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('open','resolved')),
  note        TEXT NOT NULL DEFAULT '',
  opened_at   TEXT NOT NULL,
  opened_by   TEXT NOT NULL,
  resolved_at TEXT,
  resolved_by TEXT
);
CREATE TABLE audit (
  id      INTEGER PRIMARY KEY,
  at      TEXT NOT NULL,
  who     TEXT NOT NULL,
  origin  TEXT NOT NULL,
  action  TEXT NOT NULL,
  record  TEXT NOT NULL,
  period  TEXT NOT NULL,
  before  TEXT NOT NULL,
  after   TEXT NOT NULL,
  reason  TEXT NOT NULL
);
-- The audit log is append-only.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- A finalized period is permanent.
CREATE TRIGGER periods_final_update BEFORE UPDATE ON periods WHEN OLD.state = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER periods_final_delete BEFORE DELETE ON periods WHEN OLD.state = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER periods_state_machine BEFORE UPDATE OF state ON periods
  WHEN NOT ((OLD.state = 'open' AND NEW.state = 'closed') OR (OLD.state = 'closed' AND NEW.state IN ('open','finalized')) OR OLD.state = NEW.state)
  BEGIN SELECT RAISE(ABORT, 'period state change not allowed: open → closed → finalized, reopen closed → open'); END;
-- Imports only into open periods.
CREATE TRIGGER imports_open_only BEFORE INSERT ON imports
  WHEN (SELECT state FROM periods WHERE period = NEW.period) <> 'open'
  BEGIN SELECT RAISE(ABORT, 'period is not open: imports are refused'); END;
CREATE TRIGGER imports_delete_open_only BEFORE DELETE ON imports
  WHEN (SELECT state FROM periods WHERE period = OLD.period) <> 'open'
  BEGIN SELECT RAISE(ABORT, 'period is not open: imports cannot be removed'); END;
CREATE TRIGGER imports_no_update BEFORE UPDATE ON imports WHEN OLD.sha256 <> 'pending'
  BEGIN SELECT RAISE(ABORT, 'imports are immutable'); END;
CREATE TRIGGER charges_open_insert BEFORE INSERT ON charges
  WHEN (SELECT state FROM periods WHERE period = NEW.period) <> 'open'
  BEGIN SELECT RAISE(ABORT, 'period is not open: imports are refused'); END;
CREATE TRIGGER charges_no_update BEFORE UPDATE ON charges
  BEGIN SELECT RAISE(ABORT, 'charges are immutable facts: record a review disposition or an adjustment'); END;
CREATE TRIGGER charges_delete_open_only BEFORE DELETE ON charges
  WHEN (SELECT state FROM periods WHERE period = OLD.period) <> 'open'
  BEGIN SELECT RAISE(ABORT, 'period is not open: charges cannot be removed'); END;
-- Review dispositions, tag overrides, adjustments and disputes of a
-- finalized period cannot change either.
CREATE TRIGGER review_final_insert BEFORE INSERT ON review
  WHEN (SELECT state FROM periods WHERE period = NEW.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER review_final_update BEFORE UPDATE ON review
  WHEN (SELECT state FROM periods WHERE period = NEW.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER review_final_delete BEFORE DELETE ON review
  WHEN (SELECT state FROM periods WHERE period = OLD.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER tag_overrides_final_insert BEFORE INSERT ON tag_overrides
  WHEN (SELECT state FROM periods WHERE period = NEW.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER tag_overrides_final_update BEFORE UPDATE ON tag_overrides
  WHEN (SELECT state FROM periods WHERE period = NEW.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER tag_overrides_final_delete BEFORE DELETE ON tag_overrides
  WHEN (SELECT state FROM periods WHERE period = OLD.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER adjustments_final_insert BEFORE INSERT ON adjustments
  WHEN (SELECT state FROM periods WHERE period = NEW.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER adjustments_final_update BEFORE UPDATE ON adjustments
  WHEN (SELECT state FROM periods WHERE period = NEW.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER adjustments_final_delete BEFORE DELETE ON adjustments
  WHEN (SELECT state FROM periods WHERE period = OLD.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER disputes_final_insert BEFORE INSERT ON disputes
  WHEN (SELECT state FROM periods WHERE period = NEW.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER disputes_final_update BEFORE UPDATE ON disputes
  WHEN (SELECT state FROM periods WHERE period = NEW.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
CREATE TRIGGER disputes_final_delete BEFORE DELETE ON disputes
  WHEN (SELECT state FROM periods WHERE period = OLD.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
