-- The ledger's schema on PostgreSQL: the tables of SQLite's migrations 1–6
-- (lib/ledger/ledger.go) in their final shape, and their triggers in
-- PL/pgSQL, raising the messages SQLite's triggers raise. Text compares
-- and sorts byte-wise (COLLATE "C") as in SQLite, whatever the database's
-- locale, so statements come out in the same order on both backends.

CREATE TABLE periods (
  period       TEXT COLLATE "C" PRIMARY KEY CHECK (period ~ '^[0-9]{4}-[0-1][0-9]$'),
  state        TEXT COLLATE "C" NOT NULL DEFAULT 'open' CHECK (state IN ('open','closed','finalized')),
  closed_at    TEXT COLLATE "C",
  finalized_at TEXT COLLATE "C"
);
CREATE TABLE imports (
  id            BIGINT PRIMARY KEY,
  period        TEXT COLLATE "C" NOT NULL REFERENCES periods(period),
  source        TEXT COLLATE "C" NOT NULL,
  file_name     TEXT COLLATE "C" NOT NULL,
  sha256        TEXT COLLATE "C" NOT NULL,
  header        TEXT COLLATE "C" NOT NULL,
  rows          INTEGER NOT NULL,
  flagged       INTEGER NOT NULL,
  list_total    TEXT COLLATE "C" NOT NULL,
  billed_total  TEXT COLLATE "C" NOT NULL,
  imported_at   TEXT COLLATE "C" NOT NULL,
  imported_by   TEXT COLLATE "C" NOT NULL,
  record_format TEXT COLLATE "C" NOT NULL DEFAULT 'csv'
);
CREATE UNIQUE INDEX imports_sha ON imports(period, source, sha256);
CREATE TABLE charges (
  id                 BIGINT PRIMARY KEY,
  import_id          BIGINT NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  period             TEXT COLLATE "C" NOT NULL,
  line               INTEGER NOT NULL,
  pi_email           TEXT COLLATE "C" NOT NULL,
  pi_name            TEXT COLLATE "C" NOT NULL,
  project_id         TEXT COLLATE "C" NOT NULL,
  fund_org           TEXT COLLATE "C" NOT NULL,
  cost_center        TEXT COLLATE "C" NOT NULL,
  account_code       TEXT COLLATE "C" NOT NULL,
  end_date           TEXT COLLATE "C" NOT NULL,
  reconciliation_end TEXT COLLATE "C" NOT NULL,
  ref1               TEXT COLLATE "C" NOT NULL,
  ref2               TEXT COLLATE "C" NOT NULL,
  service_name       TEXT COLLATE "C" NOT NULL,
  service_category   TEXT COLLATE "C" NOT NULL,
  resource_id        TEXT COLLATE "C" NOT NULL,
  resource_name      TEXT COLLATE "C" NOT NULL,
  quantity           TEXT COLLATE "C" NOT NULL,
  unit               TEXT COLLATE "C" NOT NULL,
  list_cost          TEXT COLLATE "C" NOT NULL,   -- exact decimal text, summed in Go
  billed_cost        TEXT COLLATE "C" NOT NULL,
  currency           TEXT COLLATE "C" NOT NULL
);
-- No index on charges(import_id), as on SQLite: removing or replacing an
-- import scans charges once, and each of the million rows of an import
-- does not pay for an index entry (0.4 s of 2.9 s measured for 200k rows).
CREATE TABLE review (
  charge_id  BIGINT PRIMARY KEY REFERENCES charges(id) ON DELETE CASCADE,
  period     TEXT COLLATE "C" NOT NULL,
  flags      TEXT COLLATE "C" NOT NULL,
  status     TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending','approved','rejected')),
  decided_by TEXT COLLATE "C",
  decided_at TEXT COLLATE "C",
  note       TEXT COLLATE "C"
);
CREATE INDEX review_period ON review(period, status);
CREATE TABLE tag_overrides (
  charge_id BIGINT NOT NULL REFERENCES charges(id) ON DELETE CASCADE,
  period    TEXT COLLATE "C" NOT NULL,
  role      TEXT COLLATE "C" NOT NULL,
  value     TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (charge_id, role)
);
CREATE TABLE adjustments (
  id         BIGINT PRIMARY KEY,
  period     TEXT COLLATE "C" NOT NULL REFERENCES periods(period),
  pi_email   TEXT COLLATE "C" NOT NULL,
  project_id TEXT COLLATE "C" NOT NULL,
  fund_org   TEXT COLLATE "C" NOT NULL,
  amount     TEXT COLLATE "C" NOT NULL,
  reason     TEXT COLLATE "C" NOT NULL,
  ref        TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  created_by TEXT COLLATE "C" NOT NULL
);
CREATE TABLE disputes (
  id          BIGINT PRIMARY KEY,
  period      TEXT COLLATE "C" NOT NULL REFERENCES periods(period),
  pi_email    TEXT COLLATE "C" NOT NULL,
  charge_id   BIGINT,
  reason      TEXT COLLATE "C" NOT NULL,
  status      TEXT COLLATE "C" NOT NULL CHECK (status IN ('open','resolved')),
  note        TEXT COLLATE "C" NOT NULL DEFAULT '',
  opened_at   TEXT COLLATE "C" NOT NULL,
  opened_by   TEXT COLLATE "C" NOT NULL,
  resolved_at TEXT COLLATE "C",
  resolved_by TEXT COLLATE "C",
  line        TEXT COLLATE "C" NOT NULL DEFAULT '',
  origin      TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE TABLE audit (
  id      BIGINT PRIMARY KEY,
  at      TEXT COLLATE "C" NOT NULL,
  who     TEXT COLLATE "C" NOT NULL,
  origin  TEXT COLLATE "C" NOT NULL,
  action  TEXT COLLATE "C" NOT NULL,
  record  TEXT COLLATE "C" NOT NULL,
  period  TEXT COLLATE "C" NOT NULL,
  before  TEXT COLLATE "C" NOT NULL,
  after   TEXT COLLATE "C" NOT NULL,
  reason  TEXT COLLATE "C" NOT NULL
);
CREATE TABLE import_prints (
  import_id BIGINT PRIMARY KEY REFERENCES imports(id) ON DELETE CASCADE,
  prints    BYTEA NOT NULL
);
CREATE TABLE import_rows (
  import_id BIGINT NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  frame     INTEGER NOT NULL,
  rows      INTEGER NOT NULL,
  data      BYTEA NOT NULL,   -- zstd: per record a uvarint length and the record
  PRIMARY KEY (import_id, frame)
);
CREATE TABLE import_lines (
  import_id          BIGINT NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  period             TEXT COLLATE "C" NOT NULL,
  first_row          INTEGER NOT NULL,
  charges            INTEGER NOT NULL,
  pi_email TEXT COLLATE "C" NOT NULL, pi_name TEXT COLLATE "C" NOT NULL, project_id TEXT COLLATE "C" NOT NULL, fund_org TEXT COLLATE "C" NOT NULL,
  cost_center TEXT COLLATE "C" NOT NULL, account_code TEXT COLLATE "C" NOT NULL, end_date TEXT COLLATE "C" NOT NULL, reconciliation_end TEXT COLLATE "C" NOT NULL,
  ref1 TEXT COLLATE "C" NOT NULL, ref2 TEXT COLLATE "C" NOT NULL, service_name TEXT COLLATE "C" NOT NULL, service_category TEXT COLLATE "C" NOT NULL,
  unit TEXT COLLATE "C" NOT NULL, currency TEXT COLLATE "C" NOT NULL,
  quantity TEXT COLLATE "C" NOT NULL, list_cost TEXT COLLATE "C" NOT NULL, billed_cost TEXT COLLATE "C" NOT NULL  -- exact decimal sums
);
CREATE INDEX import_lines_period ON import_lines(period);
CREATE INDEX import_lines_import ON import_lines(import_id);

-- Triggers: the rules of SQLite's, with its messages. Row checks of the
-- bulk-loaded tables (charges, review, import_rows) run once a statement
-- over its new rows (a transition table), not once a row: a COPY of a
-- million charges checks its period once.

CREATE FUNCTION ocb_state(p TEXT) RETURNS TEXT LANGUAGE sql STABLE AS
  $$ SELECT state FROM periods WHERE period = p $$;

CREATE FUNCTION ocb_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = TG_ARGV[0];
END $$;

-- The audit log is append-only.
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION ocb_refuse('the audit log is append-only');

-- A finalized period is permanent; states move open → closed → finalized.
CREATE FUNCTION ocb_periods_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state = 'finalized' THEN
    RAISE EXCEPTION 'period is finalized: it cannot change';
  END IF;
  IF TG_OP = 'UPDATE' AND NOT ((OLD.state = 'open' AND NEW.state = 'closed')
      OR (OLD.state = 'closed' AND NEW.state IN ('open','finalized')) OR OLD.state = NEW.state) THEN
    RAISE EXCEPTION 'period state change not allowed: open → closed → finalized, reopen closed → open';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER periods_guard BEFORE UPDATE OR DELETE ON periods
  FOR EACH ROW EXECUTE FUNCTION ocb_periods_guard();

-- Imports only into open periods; imports and charges are immutable.
CREATE FUNCTION ocb_imports_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF ocb_state(NEW.period) <> 'open' THEN
      RAISE EXCEPTION 'period is not open: imports are refused';
    END IF;
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    IF OLD.sha256 <> 'pending' THEN
      RAISE EXCEPTION 'imports are immutable';
    END IF;
    RETURN NEW;
  END IF;
  IF ocb_state(OLD.period) <> 'open' THEN
    RAISE EXCEPTION 'period is not open: imports cannot be removed';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER imports_guard BEFORE INSERT OR UPDATE OR DELETE ON imports
  FOR EACH ROW EXECUTE FUNCTION ocb_imports_guard();

-- New rows of charges, review, tag_overrides…: their period must be open
-- (TG_ARGV[0] = 'open', message TG_ARGV[1]) or not finalized ('final').
CREATE FUNCTION ocb_new_rows_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_ARGV[0] = 'open' THEN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN periods p ON p.period = n.period WHERE p.state <> 'open') THEN
      RAISE EXCEPTION USING MESSAGE = TG_ARGV[1];
    END IF;
  ELSIF EXISTS (SELECT 1 FROM new_rows n JOIN periods p ON p.period = n.period WHERE p.state = 'finalized') THEN
    RAISE EXCEPTION 'period is finalized: it cannot change';
  END IF;
  RETURN NULL;
END $$;

-- Changes to existing rows: refused outright (TG_ARGV[0] = 'never'), or
-- when the row's period is not open ('open') or is finalized ('final').
CREATE FUNCTION ocb_row_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  st TEXT;
BEGIN
  IF TG_ARGV[0] = 'never' THEN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[1];
  END IF;
  IF TG_OP = 'DELETE' THEN
    st := ocb_state(OLD.period);
  ELSE
    st := ocb_state(NEW.period);
    IF TG_OP = 'UPDATE' AND ocb_state(OLD.period) = 'finalized' THEN
      st := 'finalized';
    END IF;
  END IF;
  IF (TG_ARGV[0] = 'open' AND st <> 'open') OR (TG_ARGV[0] = 'final' AND st = 'finalized') THEN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[1];
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER charges_open_insert AFTER INSERT ON charges REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ocb_new_rows_guard('open', 'period is not open: imports are refused');
CREATE TRIGGER charges_no_update BEFORE UPDATE ON charges
  FOR EACH ROW EXECUTE FUNCTION ocb_row_guard('never', 'charges are immutable facts: record a review disposition or an adjustment');
CREATE TRIGGER charges_delete_open_only BEFORE DELETE ON charges
  FOR EACH ROW EXECUTE FUNCTION ocb_row_guard('open', 'period is not open: charges cannot be removed');

CREATE TRIGGER import_lines_open_insert AFTER INSERT ON import_lines REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ocb_new_rows_guard('open', 'period is not open: imports are refused');
CREATE TRIGGER import_lines_no_update BEFORE UPDATE ON import_lines
  FOR EACH ROW EXECUTE FUNCTION ocb_row_guard('never', 'imported rows are immutable facts');
CREATE TRIGGER import_lines_delete_open_only BEFORE DELETE ON import_lines
  FOR EACH ROW EXECUTE FUNCTION ocb_row_guard('open', 'period is not open: charges cannot be removed');

-- import_rows has no period column: its import's.
CREATE FUNCTION ocb_import_rows_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN imports i ON i.id = n.import_id JOIN periods p ON p.period = i.period WHERE p.state <> 'open') THEN
      RAISE EXCEPTION 'period is not open: imports are refused';
    END IF;
    RETURN NULL;
  ELSIF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'imported rows are immutable facts';
  END IF;
  IF (SELECT p.state FROM imports i JOIN periods p ON p.period = i.period WHERE i.id = OLD.import_id) <> 'open' THEN
    RAISE EXCEPTION 'period is not open: charges cannot be removed';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER import_rows_open_insert AFTER INSERT ON import_rows REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ocb_import_rows_guard();
CREATE TRIGGER import_rows_no_change BEFORE UPDATE OR DELETE ON import_rows
  FOR EACH ROW EXECUTE FUNCTION ocb_import_rows_guard();

-- Dispositions, overrides, adjustments and disputes of a finalized period.
CREATE TRIGGER review_final_insert AFTER INSERT ON review REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ocb_new_rows_guard('final');
CREATE TRIGGER review_final_change BEFORE UPDATE OR DELETE ON review
  FOR EACH ROW EXECUTE FUNCTION ocb_row_guard('final', 'period is finalized: it cannot change');
CREATE TRIGGER tag_overrides_final BEFORE INSERT OR UPDATE OR DELETE ON tag_overrides
  FOR EACH ROW EXECUTE FUNCTION ocb_row_guard('final', 'period is finalized: it cannot change');
CREATE TRIGGER adjustments_final BEFORE INSERT OR UPDATE OR DELETE ON adjustments
  FOR EACH ROW EXECUTE FUNCTION ocb_row_guard('final', 'period is finalized: it cannot change');
CREATE TRIGGER disputes_final BEFORE INSERT OR UPDATE OR DELETE ON disputes
  FOR EACH ROW EXECUTE FUNCTION ocb_row_guard('final', 'period is finalized: it cannot change');
