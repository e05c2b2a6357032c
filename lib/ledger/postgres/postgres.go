// Package postgres is the PostgreSQL backend of the ledger (jackc/pgx/v5):
// the ledger's schema and triggers as versioned migrations, the dialect
// (placeholders, RETURNING, row locks on a period, COPY for imports) and
// the translation of PostgreSQL's errors into the ledger's refusals.
//
// Importing the package registers the backend: ledger.Open and
// ledger.OpenExisting then accept a postgres:// or postgresql:// URL or
// libpq keywords ("host=/run/postgresql dbname=ledger"); PG* environment
// variables fill in what the DSN leaves out, as with psql.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/openchargeback/ocb/lib/ledger"
)

// Name is the backend's name in ledger.Register.
const Name = "postgres"

func init() {
	ledger.Register(Name, ledger.Backend{Match: ledger.IsPostgresDSN, Open: Open, Dialect: Dialect})
}

// Dialect is the ledger's SQL on PostgreSQL.
var Dialect = &ledger.Dialect{
	Name:       Name,
	Rewrite:    Rewrite,
	LockPeriod: " FOR UPDATE",
	// One writer at a time per ledger (schema), as on SQLite; readers
	// never wait (MVCC).
	WriteLock:          `SELECT pg_advisory_xact_lock(hashtext('openchargeback ledger ' || current_schema()))`,
	ExplicitIDs:        true,
	Translate:          Translate,
	Busy:               isRetryable,
	Copy:               copyFrom,
	EncodeCharge:       appendCharge,
	EncodedChargeTypes: chargeTypes,
	Drop:               dropSQL,
}

// dropSQL removes every object the migrations create, under the
// migration lock (a program migrating the ledger at this moment finishes
// first, or starts after). TestDropLeavesNothing keeps it complete.
var dropSQL = fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d);
DROP TABLE IF EXISTS owner_rules, web_sessions, import_lines, import_rows, import_prints, audit, disputes, adjustments,
  tag_overrides, review, charges, imports, periods, ledger_schema_version CASCADE;
DROP FUNCTION IF EXISTS ocb_state(TEXT), ocb_refuse(), ocb_periods_guard(), ocb_imports_guard(),
  ocb_new_rows_guard(), ocb_row_guard(), ocb_import_rows_guard(), ocb_charges_import_check(), ocb_imports_delete_charges();`, lockKey)

// Open connects to dsn and migrates the ledger schema (creating it when
// create is set; without it, a database with no ledger is refused);
// created reports that this call created the schema.
func Open(ctx context.Context, dsn string, create bool) (*sql.DB, *ledger.Dialect, bool, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, nil, false, fmt.Errorf("open ledger %s: %w", ledger.Redact(dsn), err)
	}
	db := stdlib.OpenDB(*cfg)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, nil, false, fmt.Errorf("ledger not available: %s: %w", ledger.Redact(dsn), err)
	}
	if !create {
		var exists bool
		if err := db.QueryRowContext(ctx, `SELECT to_regclass('ledger_schema_version') IS NOT NULL`).Scan(&exists); err != nil {
			db.Close()
			return nil, nil, false, fmt.Errorf("ledger not available: %s: %w", ledger.Redact(dsn), err)
		}
		if !exists {
			db.Close()
			return nil, nil, false, fmt.Errorf("ledger not available: %s holds no ledger; the first `focus-load import` creates it (or give the right --db / FOCUS_DB): %w", ledger.Redact(dsn), ledger.ErrNoLedger)
		}
	}
	created, err := migrate(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, false, fmt.Errorf("open ledger %s: %w", ledger.Redact(dsn), err)
	}
	return db, Dialect, created, nil
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

func migrations() ([]ledger.Migration, error) {
	return ledger.ReadMigrations(migrationFiles, "migrations")
}

// lockKey is the advisory lock held while migrating, so that two programs
// opening a new ledger at once do not both create it (golang-migrate's
// way); a ledger in each schema of one database is still migrated alone,
// the lock merely makes them wait.
const lockKey = 0x0CB1ED6E

// Migrate applies the migrations the database lacks, each in a
// transaction with its version row, under an advisory lock.
func Migrate(ctx context.Context, db *sql.DB) error {
	_, err := migrate(ctx, db)
	return err
}

// migrate is Migrate, reporting whether the database held no ledger.
func migrate(ctx context.Context, db *sql.DB) (bool, error) {
	ms, err := migrations()
	if err != nil {
		return false, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return false, fmt.Errorf("migration lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, lockKey)
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS ledger_schema_version (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return false, fmt.Errorf("version table: %w", err)
	}
	var cur int
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM ledger_schema_version`).Scan(&cur); err != nil {
		return false, err
	}
	if cur > len(ms) {
		return false, fmt.Errorf("ledger schema version %d is newer than this program (%d): upgrade OpenChargeback", cur, len(ms))
	}
	created := cur == 0
	for _, m := range ms[cur:] {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return false, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_schema_version(version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			tx.Rollback()
			return false, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return false, fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return created, nil
}

// Rewrite turns the ledger's SQL (written for both backends, with ?
// placeholders) into PostgreSQL's: $n placeholders, chr(31) for SQLite's
// x'1f' blob literal, ILIKE for LIKE (SQLite's LIKE ignores ASCII case),
// NUMERIC for the REAL a sort casts money to.
func Rewrite(q string) string {
	var b strings.Builder
	n := 0
	inStr := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			if !inStr && i > 0 && (q[i-1] == 'x' || q[i-1] == 'X') && strings.HasPrefix(q[i:], "'1f'") {
				s := b.String()
				b.Reset()
				b.WriteString(s[:len(s)-1])
				b.WriteString("chr(31)")
				i += 3
				continue
			}
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			b.WriteByte('$')
			if i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9' {
				continue // ?N (SQLite) is $N
			}
			n++
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	s := b.String()
	s = strings.ReplaceAll(s, " LIKE ", " ILIKE ")
	s = strings.ReplaceAll(s, " AS REAL)", " AS NUMERIC)")
	return s
}

// Translate makes a trigger's RAISE EXCEPTION (SQLSTATE P0001) and a
// violated constraint (class 23) a *ledger.RefusedError with the message
// SQLite's trigger gives; other errors pass unchanged.
func Translate(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	if pe.Code == "P0001" || strings.HasPrefix(pe.Code, "23") {
		return &ledger.RefusedError{Msg: pe.Message, Err: err}
	}
	return err
}

func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
