package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Dialect is what a backend tells the ledger about its SQL. The ledger's
// queries are written once, in the SQL both SQLite and PostgreSQL accept,
// with ? placeholders; Rewrite turns each into the backend's (once, then
// cached), and the few things that cannot be written alike (the id of a new
// row, bulk loading, row locks, error codes) are fields here. See Backend
// for how to add a backend.
type Dialect struct {
	// Name is "sqlite" or "postgres" (messages, tests).
	Name string
	// Rewrite turns a query of the ledger into the backend's SQL; nil =
	// as written.
	Rewrite func(query string) string
	// WriteLock is run first in every write transaction (PostgreSQL: a
	// transaction-level advisory lock of the ledger), so that writers take
	// turns as they do on SQLite (BEGIN IMMEDIATE): a rule checked at the
	// start of a transaction still holds at its commit, and ids are
	// handed out in commit order.
	WriteLock string
	// ExplicitIDs: a new row's id is max(id)+1, chosen by the ledger under
	// WriteLock, rather than sql.Result.LastInsertId. SQLite's rowids are
	// max+1 too, so both backends number imports, charges, adjustments,
	// disputes and audit records alike: a rolled-back import leaves no
	// gap on either (a sequence would), and scripts that name ids work on
	// both.
	ExplicitIDs bool
	// LockPeriod is appended to the SELECT of a period's state inside a
	// transaction (" FOR UPDATE"), so that imports, reviews and period
	// changes of one period run one after the other. SQLite needs none:
	// its write transactions are serialized (BEGIN IMMEDIATE).
	LockPeriod string
	// Translate turns a driver error into the ledger's: a refusal by a
	// trigger or a constraint becomes a *RefusedError carrying the
	// trigger's message. nil = errors as they are.
	Translate func(error) error
	// Busy reports a transient lock error worth retrying.
	Busy func(error) bool
	// Drop removes every table, trigger and function the backend's
	// migrations created (DropIfEmpty: a server database a failed first
	// import created the ledger in). "" = not needed: a new SQLite ledger
	// is a file its creator removes.
	Drop string
	// Copy bulk-loads rows into table on the connection of the
	// transaction (PostgreSQL: COPY; SQLite: one cgo call a batch).
	// Required: imports and focus-load copy write through it. driverConn
	// is what sql.Conn.Raw passes. Values are nil, int, int64, string,
	// []byte, or pointers *int64 and *string (an import's charges: see
	// chargeValues).
	Copy func(ctx context.Context, driverConn any, table string, columns []string, rows [][]any) (int64, error)
	// EncodeCharge, if set, appends a charge's columns after id, import_id
	// and period (its line, then the text of chargeCopyColumns[4:]) to dst
	// in the form Copy takes as a *BinaryCells, a row's last value, of
	// types EncodedChargeTypes (PostgreSQL). The import's parse workers
	// then encode each charge, and the goroutine feeding the COPY only
	// copies their bytes. ok is false for a value the form cannot hold:
	// that row keeps its plain cells, for Copy to refuse.
	EncodeCharge       func(dst []byte, line int64, text []string) (out []byte, ok bool)
	EncodedChargeTypes []uint32
	// LiftInsertGuard, if set, takes the per-row insert guard of table
	// away for the rest of tx and returns what puts it back (Tx.BeforeCommit
	// runs it). SQLite has only row triggers, and its charges guard cost a
	// tenth of an import's CPU; inside the import's write transaction no
	// other connection can write, and readers see the schema with the
	// guard, so it is never missing for anyone else, and a rollback (kill
	// -9 included) brings it back with everything else. The import itself
	// writes only its own period, checked open first. PostgreSQL's guards
	// run once a statement: nil.
	LiftInsertGuard func(tx *Tx, table string) (restore func() error, err error)
}

func (d *Dialect) rewrite(q string) string {
	if d.Rewrite == nil {
		return q
	}
	if v, ok := rewritten.Load(q); ok {
		return v.(string)
	}
	s := d.Rewrite(q)
	rewritten.Store(q, s)
	return s
}

// rewritten caches Rewrite: the ledger's queries are a fixed set (a few
// are built from filters, a few hundred variants at most).
var rewritten sync.Map

func (d *Dialect) translate(err error) error {
	if err == nil || d.Translate == nil {
		return err
	}
	return d.Translate(err)
}

// Backend opens ledgers of one kind. lib/ledger/sqlite and
// lib/ledger/postgres are the two; both follow this checklist, and so must
// a third.
//
//  1. Implement it in its own package, lib/ledger/NAME, the only one that
//     imports the database driver: Open connects, creates the ledger
//     when asked (and when the DSN holds none), migrates it with the
//     package's embedded migrations/NNNN_name.sql (tables, indexes and
//     triggers raising the refusals SQLite's give, word for word), and
//     returns the *sql.DB with the package's Dialect. The ledger's
//     queries stay in lib/ledger: give the Dialect a Rewrite for what
//     your SQL spells differently, and a Translate making trigger and
//     constraint errors *RefusedError with Err set.
//  2. Register it in the package's init: Register(NAME, Backend{…}),
//     with a Match that claims only its own DSNs.
//  3. Run the ledger suite on it: NAME_test.go calls
//     ledgertest.Test(t, open) with a fresh, empty ledger per call;
//     skip with a message when the tests need a server that is not
//     configured (as lib/ledger/postgres does without FOCUS_TEST_POSTGRES).
//  4. Import it (blank import) in every program that opens ledgers:
//     cmd/focus-load/backends.go and cmd/focus-statement/backends.go.
//  5. Add a make target that runs the suite against a real server
//     (make test-postgres is the model) and have CI run it.
type Backend struct {
	// Match reports whether dsn names a ledger of this backend.
	Match func(dsn string) bool
	// Open opens (creating the ledger when create is set, refusing a dsn
	// without one otherwise) and migrates the ledger at dsn; created
	// reports that this call created it.
	Open func(ctx context.Context, dsn string, create bool) (db *sql.DB, d *Dialect, created bool, err error)
	// Stage, when set, creates a new ledger that no other program can
	// know of yet (focus-load writes the first import of a new SQLite
	// ledger under a temporary name and gives it its name once
	// committed), without what concurrent readers would need. Optional.
	Stage func(ctx context.Context, dsn string) (db *sql.DB, d *Dialect, err error)
	// Dialect is the backend's dialect, consulted by IsRefused for a
	// driver error that escaped translation.
	Dialect *Dialect
}

var (
	backendsMu sync.Mutex
	backends   = map[string]Backend{}
)

// Register makes a backend available to Open under name; a package
// registers its backend in init. It panics on a second registration of
// one name, as database/sql.Register does.
func Register(name string, b Backend) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	if _, dup := backends[name]; dup {
		panic("ledger: Register called twice for backend " + name)
	}
	backends[name] = b
}

// IsPostgresDSN reports whether dsn names a PostgreSQL database: a
// postgres:// or postgresql:// URL or libpq keyword=value pairs
// ("host=/run/postgresql dbname=ledger"). Anything else is a file path.
func IsPostgresDSN(dsn string) bool {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return true
	}
	for _, f := range strings.Fields(dsn) {
		k, _, ok := strings.Cut(f, "=")
		if !ok {
			return false
		}
		switch k {
		case "host", "hostaddr", "port", "dbname", "user", "password", "sslmode", "service", "application_name", "connect_timeout", "options":
		default:
			return false
		}
	}
	return strings.Contains(dsn, "=")
}

// Redact hides a password in dsn for messages.
func Redact(dsn string) string {
	if !IsPostgresDSN(dsn) {
		return dsn
	}
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.IndexByte(rest, '@'); at >= 0 {
			if c := strings.IndexByte(rest[:at], ':'); c >= 0 {
				return dsn[:i+3] + rest[:c] + ":xxxxx" + rest[at:]
			}
		}
		return dsn
	}
	f := strings.Fields(dsn)
	for i, kv := range f {
		if strings.HasPrefix(kv, "password=") {
			f[i] = "password=xxxxx"
		}
	}
	return strings.Join(f, " ")
}

// backendFor returns the registered backend matching dsn, or an error
// saying which backend the program lacks.
func backendFor(dsn string) (Backend, error) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	names := make([]string, 0, len(backends))
	for n := range backends {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if backends[n].Match(dsn) {
			return backends[n], nil
		}
	}
	if IsPostgresDSN(dsn) {
		return Backend{}, fmt.Errorf("ledger %s: this program was built without the PostgreSQL backend (lib/ledger/postgres)", Redact(dsn))
	}
	return Backend{}, fmt.Errorf("ledger %s: this program was built without the SQLite backend (lib/ledger/sqlite)", dsn)
}

// refusedByBackend reports whether a registered backend translates err
// into a refusal.
func refusedByBackend(err error) bool {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	for _, b := range backends {
		if b.Dialect == nil || b.Dialect.Translate == nil {
			continue
		}
		var r *RefusedError
		if errors.As(b.Dialect.Translate(err), &r) {
			return true
		}
	}
	return false
}

// DB is the ledger's database handle: database/sql with the dialect's
// rewriting and error translation applied to every statement.
type DB struct {
	*sql.DB
	d *Dialect
}

// ExecContext runs q.
func (db *DB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := db.DB.ExecContext(ctx, db.d.rewrite(q), args...)
	return r, db.d.translate(err)
}

// Exec runs q.
func (db *DB) Exec(q string, args ...any) (sql.Result, error) {
	return db.ExecContext(context.Background(), q, args...)
}

// QueryContext runs q.
func (db *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r, err := db.DB.QueryContext(ctx, db.d.rewrite(q), args...)
	return r, db.d.translate(err)
}

// Query runs q.
func (db *DB) Query(q string, args ...any) (*sql.Rows, error) {
	return db.QueryContext(context.Background(), q, args...)
}

// QueryRowContext runs q.
func (db *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return db.DB.QueryRowContext(ctx, db.d.rewrite(q), args...)
}

// QueryRow runs q.
func (db *DB) QueryRow(q string, args ...any) *sql.Row {
	return db.QueryRowContext(context.Background(), q, args...)
}

// Tx is a transaction of the ledger, on one connection (bulk loads run on
// it too).
type Tx struct {
	*sql.Tx
	ctx          context.Context
	conn         *sql.Conn
	d            *Dialect
	beforeCommit []func() error
}

// BeforeCommit has fn run when the transaction's work is done, just before
// it commits; an error from fn rolls the transaction back.
func (tx *Tx) BeforeCommit(fn func() error) {
	tx.beforeCommit = append(tx.beforeCommit, fn)
}

// Exec runs q.
func (tx *Tx) Exec(q string, args ...any) (sql.Result, error) {
	r, err := tx.Tx.ExecContext(tx.ctx, tx.d.rewrite(q), args...)
	return r, tx.d.translate(err)
}

// Query runs q.
func (tx *Tx) Query(q string, args ...any) (*sql.Rows, error) {
	r, err := tx.Tx.QueryContext(tx.ctx, tx.d.rewrite(q), args...)
	return r, tx.d.translate(err)
}

// QueryContext runs q.
func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r, err := tx.Tx.QueryContext(ctx, tx.d.rewrite(q), args...)
	return r, tx.d.translate(err)
}

// QueryRow runs q.
func (tx *Tx) QueryRow(q string, args ...any) *sql.Row {
	return tx.Tx.QueryRowContext(tx.ctx, tx.d.rewrite(q), args...)
}

// Prepare prepares q.
func (tx *Tx) Prepare(q string) (*Stmt, error) {
	st, err := tx.Tx.PrepareContext(tx.ctx, tx.d.rewrite(q))
	if err != nil {
		return nil, tx.d.translate(err)
	}
	return &Stmt{st, tx.d}, nil
}

// Insert runs an INSERT INTO table(columns…) VALUES (…) and returns the
// new row's id.
func (tx *Tx) Insert(q string, args ...any) (int64, error) {
	if tx.d.ExplicitIDs {
		table, rest, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(q), "INSERT INTO "), "(")
		cols, vals, ok2 := strings.Cut(rest, "VALUES (")
		if !ok || !ok2 || strings.ContainsAny(table, " \n\t") {
			return 0, fmt.Errorf("ledger: Insert wants INSERT INTO table(…) VALUES (…): %.60s", q)
		}
		ids, err := tx.NewIDs(table, 1)
		if err != nil {
			return 0, err
		}
		_, err = tx.Exec("INSERT INTO "+table+"(id, "+cols+"VALUES (?, "+vals, append([]any{ids[0]}, args...)...)
		return ids[0], err
	}
	r, err := tx.Exec(q, args...)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

// NewIDs returns n new ids of table: max(id)+1…, under the write lock.
func (tx *Tx) NewIDs(table string, n int) ([]int64, error) {
	var max int64
	if err := tx.QueryRow(`SELECT coalesce(max(id), 0) FROM ` + table).Scan(&max); err != nil {
		return nil, fmt.Errorf("new %s id: %w", table, err)
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = max + 1 + int64(i)
	}
	return ids, nil
}

// BinaryCells are the last len(Types) columns of a row, encoded already
// by the dialect (Dialect.EncodeCharge); Types are the dialect's types of
// those columns.
type BinaryCells struct {
	Types []uint32
	Data  []byte
}

// Copy bulk-loads rows into table (see Dialect.Copy).
func (tx *Tx) Copy(table string, columns []string, rows [][]any) error {
	return tx.conn.Raw(func(dc any) error {
		_, err := tx.d.Copy(tx.ctx, dc, table, columns, rows)
		return tx.d.translate(err)
	})
}

// Stmt is a prepared statement of a Tx.
type Stmt struct {
	*sql.Stmt
	d *Dialect
}

// Exec runs the statement.
func (st *Stmt) Exec(args ...any) (sql.Result, error) {
	r, err := st.Stmt.Exec(args...)
	return r, st.d.translate(err)
}
