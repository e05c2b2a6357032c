// Package sqlite is the SQLite backend of the ledger (mattn/go-sqlite3, cgo):
// opening a ledger file (page size, WAL, busy timeout, the retry of the
// few lock errors SQLite does not wait on), its migrations (embedded
// migrations/NNNN_name.sql, numbered by PRAGMA user_version, so that a
// ledger file of any earlier release upgrades in place) and the
// translation of SQLite's trigger and constraint errors into the ledger's
// refusals. The ledger's queries are lib/ledger's, in SQLite's SQL as
// written.
//
// Importing the package registers the backend: ledger.Open and
// ledger.OpenExisting then accept a file path (any DSN that is not a
// PostgreSQL one).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/openchargeback/ocb/lib/ledger"
)

// Name is the backend's name in ledger.Register.
const Name = "sqlite"

func init() {
	ledger.Register(Name, ledger.Backend{
		Match:   func(dsn string) bool { return !ledger.IsPostgresDSN(dsn) },
		Open:    Open,
		Stage:   Stage,
		Dialect: Dialect,
	})
}

// Dialect is the ledger's SQL on SQLite: the queries as written, rowids
// for new ids, Copy (copy.go) as the bulk loader and no row locks (write
// transactions are serialized by BEGIN IMMEDIATE).
var Dialect = &ledger.Dialect{
	Name:      Name,
	Translate: Translate,
	Busy:      IsBusy,
	Copy:      Copy,

	LiftInsertGuard: liftInsertGuard,
}

// liftInsertGuard drops table's insert guard, the trigger <table>_open_insert
// (migration 8), for the rest of tx, and returns what creates it again as
// it was. It runs once a row: 0.5 µs, a tenth of the CPU of a 1M-row import.
func liftInsertGuard(tx *ledger.Tx, table string) (func() error, error) {
	name := table + "_open_insert"
	var def string
	if err := tx.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?`, name).Scan(&def); err != nil {
		return nil, fmt.Errorf("the insert guard of %s: %w", table, err)
	}
	if _, err := tx.Exec(`DROP TRIGGER ` + name); err != nil {
		return nil, fmt.Errorf("lift the insert guard of %s: %w", table, err)
	}
	return func() error {
		if _, err := tx.Exec(def); err != nil {
			return fmt.Errorf("restore the insert guard of %s: %w", table, err)
		}
		return nil
	}, nil
}

// Open opens the ledger file at path, creating it when create is set
// (refusing a missing file otherwise), and migrates it. WAL and a busy
// timeout make concurrent runs (overlapping cron jobs) wait instead of
// failing with "database is locked".
func Open(ctx context.Context, path string, create bool) (*sql.DB, *ledger.Dialect, bool, error) {
	return openFile(ctx, path, create, "WAL")
}

// Stage creates the ledger file at path, which no other program knows of
// yet, with a rollback journal instead of the write-ahead log: the pages
// of the first import go to the file once instead of to the log and then
// the file (a 1M-row import into a new ledger took 4.9–5.6 s instead of
// 6.4–7.5 s, with 0.6 s of system time instead of 2.4 s). The caller sets
// PRAGMA journal_mode = WAL before it gives the file its name.
func Stage(ctx context.Context, path string) (*sql.DB, *ledger.Dialect, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return nil, nil, fmt.Errorf("stage ledger %s: the file exists", path)
	}
	db, d, _, err := openFile(ctx, path, true, "DELETE")
	return db, d, err
}

func openFile(ctx context.Context, path string, create bool, journal string) (*sql.DB, *ledger.Dialect, bool, error) {
	if !create {
		fi, err := os.Stat(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, false, fmt.Errorf("ledger not available: %s does not exist; the first `focus-load import` creates it (or give the right --db / FOCUS_DB): %w: %w", path, ledger.ErrNoLedger, err)
		}
		if err != nil {
			return nil, nil, false, fmt.Errorf("ledger not available: %w", err)
		}
		if !fi.Mode().IsRegular() {
			return nil, nil, false, fmt.Errorf("ledger not available: %s is not a file", path)
		}
	}
	// Best effort: when another process is creating the same ledger at
	// this moment its choice stands, and a real problem (permissions)
	// surfaces from the open below.
	_ = initFile(path, journal)
	// _cache_size: 16 MiB a connection. With the narrow charges table a
	// 1M-row import took as long as with 64 MiB and peaked 40 MiB lower.
	// _mutex=no: SQLite's own lock on every API call (2 of them per bound
	// value, 3.4% of an import's CPU) is not needed: database/sql never
	// uses one connection from two goroutines at once.
	dsn := fileURI(path) + "?_busy_timeout=60000&_journal_mode=" + journal + "&_synchronous=NORMAL&_foreign_keys=on&_txlock=immediate&_cache_size=-16384&_mutex=no"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, nil, false, fmt.Errorf("open ledger %s: %w", path, err)
	}
	// SQLite answers "database is locked" without waiting in a few cases
	// (another process switching a new file to WAL, or recovering its WAL):
	// retry those for as long as the busy timeout would have waited.
	created, err := migrate(ctx, db)
	for deadline := time.Now().Add(60 * time.Second); IsBusy(err) && time.Now().Before(deadline); created, err = migrate(ctx, db) {
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		db.Close()
		return nil, nil, false, fmt.Errorf("open ledger %s: %w", path, err)
	}
	return db, Dialect, created, nil
}

// fileURI is path as the file: URI SQLite opens: '%', '?' and '#' are
// escaped, which SQLite would otherwise read as an escape, the start of
// the parameters and of a fragment. Unescaped, a --db of "runs#2/ledger.db"
// opened the file "runs" (and any other path cut at its '#' the same one).
func fileURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// pageSize of a new ledger: big pages make the bulk inserts of an import
// cheaper (fewer B-tree pages and page headers per row) and cost little
// for the few small updates review makes.
// (8192 measured best of 4096/8192/16384/65536 for the generated 1M rows.)
const pageSize = 8192

// initFile sets the page size of a new (missing or empty) ledger file; it
// can only be chosen before the first table is written.
func initFile(path, journal string) error {
	fi, err := os.Stat(path)
	if err == nil && fi.Size() > 0 {
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		// Made here, 0600, before SQLite would make it 0644: the ledger
		// holds every PI's charges. SQLite gives its -wal, -shm and
		// -journal files the mode of this one; the umask still applies.
		// O_EXCL: a process creating it at this moment keeps its file.
		if f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
		}
	}
	db, err := sql.Open("sqlite3", fileURI(path)+"?_busy_timeout=60000")
	if err != nil {
		return err
	}
	defer db.Close()
	// Writing user_version makes the file (and its page size) in either
	// journal mode; switching to WAL alone would too, a rollback journal not.
	_, err = db.Exec(fmt.Sprintf(`PRAGMA page_size = %d; PRAGMA journal_mode = %s; PRAGMA user_version = 0`, pageSize, journal))
	return err
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	ledger.Migration
	// step is the part written in Go, run after the SQL in the same
	// transaction.
	step func(context.Context, *sql.Tx, *ledger.Dialect) error
}

// goSteps are the migrations written in Go: they move data through the
// ledger's own encoding (lib/ledger/upgrade.go).
var goSteps = map[int]func(context.Context, *sql.Tx, *ledger.Dialect) error{
	4: ledger.UpgradeFrames,
	5: ledger.UpgradeLines,
}

// migrations returns the ledger's migrations in order: migration n sets
// PRAGMA user_version to n.
func migrations() ([]migration, error) {
	ms, err := ledger.ReadMigrations(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	out := make([]migration, len(ms))
	for i, m := range ms {
		out[i] = migration{m, goSteps[m.Version]}
	}
	return out, nil
}

// SchemaVersion is the user_version of a ledger this package has migrated.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the embedded files are fixed at build time; the tests read them
	}
	return len(ms)
}

// onlyComments reports whether q holds no statement (a migration done in
// Go alone).
func onlyComments(q string) bool {
	for _, line := range strings.Split(q, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
			return false
		}
	}
	return true
}

// migrate applies the migrations the file lacks, each in a transaction
// that also sets user_version, and reports whether the file was new
// (user_version 0). A ledger upgraded by a Go step is compacted after.
func migrate(ctx context.Context, db *sql.DB) (bool, error) {
	ms, err := migrations()
	if err != nil {
		return false, err
	}
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return false, err
	}
	if v > len(ms) {
		return false, fmt.Errorf("ledger schema version %d is newer than this program (%d): upgrade OpenChargeback", v, len(ms))
	}
	compact := false
	for _, m := range ms[v:] {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return false, err
		}
		// Another process may have migrated while we waited for the lock.
		var cur int
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&cur); err != nil {
			tx.Rollback()
			return false, err
		}
		if cur >= m.Version {
			tx.Rollback()
			continue
		}
		if !onlyComments(m.SQL) {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				tx.Rollback()
				return false, fmt.Errorf("migration %d: %w", m.Version, err)
			}
		}
		if m.step != nil {
			if err := m.step(ctx, tx, Dialect); err != nil {
				tx.Rollback()
				return false, fmt.Errorf("migration %d: %w", m.Version, err)
			}
			compact = v > 0 // an existing ledger: give back the space the move freed
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, m.Version)); err != nil {
			tx.Rollback()
			return false, err
		}
		if err := tx.Commit(); err != nil {
			return false, err
		}
	}
	if compact {
		if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
			return false, fmt.Errorf("compact the upgraded ledger: %w", err)
		}
	}
	return v == 0, nil
}

// IsBusy reports SQLite's transient lock errors (SQLITE_BUSY,
// SQLITE_LOCKED), worth retrying.
func IsBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// Translate makes a trigger's RAISE(ABORT) and a violated constraint (both
// SQLITE_CONSTRAINT) a *ledger.RefusedError carrying the message, with
// the driver's error as Err; other errors pass unchanged.
func Translate(err error) error {
	var se sqlite3.Error
	var ce *CopyError
	if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint || errors.As(err, &ce) && ce.Constraint() {
		return &ledger.RefusedError{Msg: err.Error(), Err: err}
	}
	return err
}
