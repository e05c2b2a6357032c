// Package ledger is the SQLite ledger: imports of FOCUS files, charges kept
// as immutable facts, review dispositions, adjustments, disputes, the period
// state machine and an audit log. Period state is enforced by SQLite
// triggers, so the CLI, the web interface and the sqlite3 shell obey the same
// rules.
package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/openchargeback/ocb/lib/ledger/sqlitecopy"
)

// Actor is who changes the ledger: an OS user from the CLI, a web user.
type Actor struct {
	User   string
	Origin string // "cli", "web", or "pi" (a PI on their statement page)
}

// CLIActor is the current OS user, origin "cli".
func CLIActor() Actor {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return Actor{User: name, Origin: "cli"}
}

// Ledger is an open ledger: a SQLite file or a PostgreSQL database.
type Ledger struct {
	db  *DB
	d   *Dialect
	now func() time.Time
}

var _ StatementReader = (*Ledger)(nil)

// Open opens (creating and migrating if needed) the ledger at dsn: a file
// path (SQLite), or a database of a registered backend (a postgres:// URL
// or libpq keywords, with lib/ledger/postgres imported).
func Open(dsn string) (*Ledger, error) {
	return openDSN(dsn, true)
}

func openDSN(dsn string, create bool) (*Ledger, error) {
	b, _, err := backendFor(dsn)
	if err != nil {
		return nil, err
	}
	if b.Open == nil {
		return openSQLite(dsn)
	}
	db, d, err := b.Open(context.Background(), dsn, create)
	if err != nil {
		return nil, err
	}
	return New(db, d), nil
}

// New returns the ledger of an open, migrated database of dialect d.
func New(db *sql.DB, d *Dialect) *Ledger {
	return &Ledger{db: &DB{db, d}, d: d, now: func() time.Time { return time.Now().UTC() }}
}

// sqliteDialect: the ledger's SQL is SQLite's. Imports bulk-load with
// sqlitecopy: one cgo call per batch of rows instead of one per bound value
// (each cell bound through database/sql cost about 160 ns).
var sqliteDialect = &Dialect{Name: "sqlite", Busy: isBusy, Copy: sqliteCopy}

func sqliteCopy(ctx context.Context, driverConn any, table string, columns []string, rows [][]any) (int64, error) {
	n, err := sqlitecopy.Copy(ctx, driverConn, table, columns, rows)
	var e *sqlitecopy.Error
	if errors.As(err, &e) && e.Constraint() {
		return n, &RefusedError{Msg: e.Msg, Err: err}
	}
	return n, err
}

// openSQLite opens the ledger file at path. WAL and a busy timeout make
// concurrent runs (overlapping cron jobs) wait instead of failing with
// "database is locked".
func openSQLite(path string) (*Ledger, error) {
	// Best effort: when another process is creating the same ledger at
	// this moment its choice stands, and a real problem (permissions)
	// surfaces from the open below.
	_ = initFile(path)
	dsn := "file:" + path + "?_busy_timeout=60000&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=on&_txlock=immediate&_cache_size=-65536"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	l := New(db, sqliteDialect)
	// SQLite answers "database is locked" without waiting in a few cases
	// (another process switching a new file to WAL, or recovering its WAL):
	// retry those for as long as the busy timeout would have waited.
	err = l.migrate()
	for deadline := time.Now().Add(60 * time.Second); isBusy(err) && time.Now().Before(deadline); err = l.migrate() {
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	return l, nil
}

// pageSize of a new ledger: big pages make the bulk inserts of an import
// cheaper (fewer B-tree pages and page headers per row) and cost little
// for the few small updates review makes.
// (8192 measured best of 4096/8192/16384/65536 for the generated 1M rows.)
const pageSize = 8192

// initFile sets the page size of a new (missing or empty) ledger file; it
// can only be chosen before the first table is written.
func initFile(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return nil
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=60000")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(fmt.Sprintf(`PRAGMA page_size = %d; PRAGMA journal_mode = WAL`, pageSize))
	return err
}

// Close closes the database.
func (l *Ledger) Close() error { return l.db.Close() }

// DB exposes the database for read-only queries of other packages' tests
// and for focus-load copy.
func (l *Ledger) DB() *DB { return l.db }

// Dialect is the backend's dialect ("sqlite", "postgres").
func (l *Ledger) Dialect() *Dialect { return l.d }

// SetClock replaces the clock (tests and reproducible demos).
func (l *Ledger) SetClock(now func() time.Time) { l.now = now }

func (l *Ledger) stamp() string { return l.now().UTC().Format(time.RFC3339) }

// migrations run in order; PRAGMA user_version is the number applied.
var migrations = []string{
	// 1: the schema.
	`
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
`,
	// 2: records are stored as JSON arrays from now on; imports made before
	// keep their CSV records, and export reads either by this column.
	`ALTER TABLE imports ADD COLUMN record_format TEXT NOT NULL DEFAULT 'csv';`,
	// 3: row fingerprints of each import (sorted 8-byte values, one blob an
	// import), to refuse the same charges under a second source.
	`CREATE TABLE import_prints (
  import_id INTEGER PRIMARY KEY REFERENCES imports(id) ON DELETE CASCADE,
  prints    BLOB NOT NULL
);`,
	// 4: the verbatim rows move out of charges into compressed frames
	// (migrateFrames, in Go: the frames are zstd).
	``,
	// 5: each import's sums per statement line (migrateLines, lines.go).
	``,
	// 6: disputes PIs file from their statement page (pidispute.go): the
	// statement line they name (its key text; '' = the whole statement or a
	// charge id) and the origin (cli, web or pi; '' for disputes recorded
	// before this migration, which were all entered by staff).
	`ALTER TABLE disputes ADD COLUMN line TEXT NOT NULL DEFAULT '';
ALTER TABLE disputes ADD COLUMN origin TEXT NOT NULL DEFAULT '';`,
	// 7: web sessions shared by every serve process (sessions.go).
	sessionsSchema,
}

// goMigrations are the steps written in Go, run after the migration's SQL.
var goMigrations = map[int]func(*Tx) error{4: migrateFrames, 5: migrateLines}

// finalizedGuards are triggers that make each period-bound table immutable
// once its period is finalized.
func finalizedGuards() string {
	var b strings.Builder
	for _, t := range []string{"review", "tag_overrides", "adjustments", "disputes"} {
		for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
			row := "NEW"
			if op == "DELETE" {
				row = "OLD"
			}
			fmt.Fprintf(&b, `CREATE TRIGGER %s_final_%s BEFORE %s ON %s
  WHEN (SELECT state FROM periods WHERE period = %s.period) = 'finalized'
  BEGIN SELECT RAISE(ABORT, 'period is finalized: it cannot change'); END;
`, t, strings.ToLower(op), op, t, row)
		}
	}
	return b.String()
}

func (l *Ledger) migrate() error {
	var v int
	if err := l.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	all := append([]string(nil), migrations...)
	all[0] += finalizedGuards()
	if v > len(all) {
		return fmt.Errorf("ledger schema version %d is newer than this program (%d): upgrade OpenChargeback", v, len(all))
	}
	compact := false
	for i := v; i < len(all); i++ {
		stx, err := l.db.DB.Begin()
		if err != nil {
			return err
		}
		tx := &Tx{Tx: stx, ctx: context.Background(), d: l.d}
		// Another process may have migrated while we waited for the lock.
		var cur int
		if err := tx.QueryRow(`PRAGMA user_version`).Scan(&cur); err != nil {
			tx.Rollback()
			return err
		}
		if cur > i {
			tx.Rollback()
			continue
		}
		if all[i] != "" {
			if _, err := tx.Exec(all[i]); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		if fn := goMigrations[i+1]; fn != nil {
			if err := fn(tx); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
			compact = v > 0 // an existing ledger: give back the space the move freed
		}
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if compact {
		if _, err := l.db.Exec(`VACUUM`); err != nil {
			return fmt.Errorf("compact the upgraded ledger: %w", err)
		}
	}
	return nil
}

func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// RefusedError is a state change the ledger's rules refuse (exit 1 in the
// CLI): by the ledger's code, or by a trigger or constraint of the
// database (Err is then the driver's error, Msg the trigger's message).
type RefusedError struct {
	Msg string
	Err error
}

func (e *RefusedError) Error() string { return e.Msg }

// Unwrap returns the driver's error, if any.
func (e *RefusedError) Unwrap() error { return e.Err }

func refused(format string, a ...any) error { return &RefusedError{Msg: fmt.Sprintf(format, a...)} }

// IsRefused reports whether err is a refusal by the ledger's rules,
// including a trigger's RAISE(ABORT).
func IsRefused(err error) bool {
	var r *RefusedError
	if errors.As(err, &r) {
		return true
	}
	var inv *InvalidRowsError
	if errors.As(err, &inv) {
		return true
	}
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint
}

// withTx runs fn in one transaction, on one connection.
func (l *Ledger) withTx(ctx context.Context, fn func(*Tx) error) error {
	conn, err := l.db.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	stx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return l.d.translate(err)
	}
	tx := &Tx{Tx: stx, ctx: ctx, conn: conn, d: l.d}
	if l.d.WriteLock != "" {
		if _, err := tx.Exec(l.d.WriteLock); err != nil {
			stx.Rollback()
			return fmt.Errorf("wait for the ledger's write lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		stx.Rollback()
		return err
	}
	return l.d.translate(stx.Commit())
}

// check refuses an audit record that would not say who did it.
func (a Actor) check() error {
	if strings.TrimSpace(a.User) == "" {
		return errors.New("ledger: Actor.User is empty: every change must say who made it")
	}
	if a.Origin != "cli" && a.Origin != "web" && a.Origin != OriginPI {
		return fmt.Errorf("ledger: Actor.Origin %q: want \"cli\", \"web\" or \"pi\"", a.Origin)
	}
	return nil
}

func (l *Ledger) audit(tx *Tx, a Actor, action, record, period string, before, after any, reason string) error {
	if err := a.check(); err != nil {
		return err
	}
	enc := func(v any) string {
		if v == nil {
			return "{}"
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	_, err := tx.Insert(`INSERT INTO audit(at, who, origin, action, record, period, before, after, reason) VALUES (?,?,?,?,?,?,?,?,?)`,
		l.stamp(), a.User, a.Origin, action, record, period, enc(before), enc(after), reason)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// ValidPeriod checks YYYY-MM.
func ValidPeriod(p string) error {
	if _, err := time.Parse("2006-01", p); err != nil || len(p) != 7 {
		return fmt.Errorf("period %q: want YYYY-MM", p)
	}
	return nil
}

// periodState reads the period's state, locking its row (Dialect.LockPeriod)
// for the rest of the transaction.
func (l *Ledger) periodState(tx *Tx, period string) (string, error) {
	var s string
	err := tx.QueryRow(`SELECT state FROM periods WHERE period = ?`+l.d.LockPeriod, period).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("period %s: %w", period, ErrNoPeriod)
	}
	return s, err
}
