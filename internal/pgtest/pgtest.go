// Package pgtest gives tests a fresh PostgreSQL ledger database: a new
// schema of the database named by FOCUS_TEST_POSTGRES (any DSN psql and
// pgx accept), reached with a DSN whose search_path is that schema.
// Without FOCUS_TEST_POSTGRES the PostgreSQL half of the tests is skipped
// with a message; CI (.ci/run) starts a throwaway cluster and sets it.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx database/sql driver
)

// Env names the variable holding the test server's DSN.
const Env = "FOCUS_TEST_POSTGRES"

// BackendEnv = "postgres" runs the e2e scripts on PostgreSQL instead of
// SQLite (make test-postgres); the ledger suite needs no switch, as
// lib/ledger/postgres runs it whenever Env is set.
const BackendEnv = "FOCUS_TEST_BACKEND"

// Base returns FOCUS_TEST_POSTGRES ("" when unset).
func Base() string { return os.Getenv(Env) }

// OnPostgres reports whether the shared ledger tests run on PostgreSQL.
func OnPostgres() bool { return os.Getenv(BackendEnv) == "postgres" }

// DSN returns the DSN of a new empty schema, dropped when t ends; t is
// skipped without FOCUS_TEST_POSTGRES.
func DSN(t testing.TB) string {
	t.Helper()
	base := Base()
	if base == "" {
		t.Skip(Env + " is not set: the PostgreSQL half of this test is skipped (make test-postgres, or .ci/run, starts a server)")
	}
	dsn, drop, err := Fresh(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Errorf("drop test schema: %v", err)
		}
	})
	return dsn
}

// Fresh creates a schema in base's database and returns a DSN using it
// and the function that drops it.
func Fresh(base string) (string, func() error, error) {
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		return "", nil, fmt.Errorf("%s=%s: create schema: %w", Env, base, err)
	}
	drop := func() error {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		return err
	}
	return WithSchema(base, schema), drop, nil
}

// WithSchema returns dsn with its search_path set to schema, in the
// libpq "options" parameter that psql and pgx both understand.
func WithSchema(dsn, schema string) string {
	opt := "-csearch_path=" + schema
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("options", opt)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " options='" + opt + "'"
}
