package e2e

// The ledger backends of the tests that open a ledger in this process
// (money_property_test.go, pi_window_test.go); the scripts run the built
// commands, which import their own.
import (
	_ "github.com/openchargeback/ocb/lib/ledger/postgres"
	_ "github.com/openchargeback/ocb/lib/ledger/sqlite"
)
