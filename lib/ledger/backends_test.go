package ledger_test

// The PostgreSQL backend, for the tests of this package that open a
// ledger by DSN (open in ledger_test.go with FOCUS_TEST_BACKEND=postgres).
import _ "github.com/openchargeback/ocb/lib/ledger/postgres"
