// Package ledger is the ledger: imports of FOCUS files, charges kept as
// immutable facts, review dispositions, adjustments, disputes, the period
// state machine and an audit log. The rules live here; the database is a
// backend's (lib/ledger/sqlite, lib/ledger/postgres), chosen by the DSN
// given to Open. Each backend enforces period state in triggers too, so
// the CLI, the web interface and the sqlite3 or psql shell obey the same
// rules.
//
// The package imports no database driver: a program that opens ledgers
// imports the backends it supports (blank imports), as database/sql's
// programs import their drivers.
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
	db      *DB
	d       *Dialect
	now     func() time.Time
	created bool // Open created the ledger (see Created)
}

var _ StatementReader = (*Ledger)(nil)

// Open opens (creating and migrating if needed) the ledger at dsn: a file
// path (with lib/ledger/sqlite imported), or a PostgreSQL database (a
// postgres:// URL or libpq keywords, with lib/ledger/postgres imported).
func Open(dsn string) (*Ledger, error) {
	return openDSN(dsn, true)
}

// OpenStaged creates a new ledger at dsn that no other program knows of
// yet, the backend's fastest way to write a first import (Backend.Stage;
// Open when the backend has none).
func OpenStaged(dsn string) (*Ledger, error) {
	b, err := backendFor(dsn)
	if err != nil {
		return nil, err
	}
	if b.Stage == nil {
		return openDSN(dsn, true)
	}
	db, d, err := b.Stage(context.Background(), dsn)
	if err != nil {
		return nil, err
	}
	l := New(db, d)
	l.created = true
	return l, nil
}

func openDSN(dsn string, create bool) (*Ledger, error) {
	b, err := backendFor(dsn)
	if err != nil {
		return nil, err
	}
	db, d, created, err := b.Open(context.Background(), dsn, create)
	if err != nil {
		return nil, err
	}
	l := New(db, d)
	l.created = created
	return l, nil
}

// New returns the ledger of an open, migrated database of dialect d.
func New(db *sql.DB, d *Dialect) *Ledger {
	return &Ledger{db: &DB{db, d}, d: d, now: func() time.Time { return time.Now().UTC() }}
}

// Close closes the database.
func (l *Ledger) Close() error { return l.db.Close() }

// DB exposes the database for read-only queries of other packages' tests
// and for focus-load copy.
func (l *Ledger) DB() *DB { return l.db }

// Dialect is the backend's dialect ("sqlite", "postgres").
func (l *Ledger) Dialect() *Dialect { return l.d }

// Created reports whether Open created this ledger: the file or database
// held none before (see DropIfEmpty).
func (l *Ledger) Created() bool { return l.created }

// SetClock replaces the clock (tests and reproducible demos).
func (l *Ledger) SetClock(now func() time.Time) { l.now = now }

func (l *Ledger) stamp() string { return l.now().UTC().Format(time.RFC3339) }

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
	for _, f := range tx.beforeCommit {
		if err := f(); err != nil {
			stx.Rollback()
			return err
		}
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
