package web

// The ledger backends of this package's tests: SQLite files (most tests)
// and PostgreSQL (sessions_shared_test.go, with FOCUS_TEST_POSTGRES).
// lib/web itself opens no ledger; cmd/focus-statement does.
import (
	_ "github.com/openchargeback/ocb/lib/ledger/postgres"
	_ "github.com/openchargeback/ocb/lib/ledger/sqlite"
)
