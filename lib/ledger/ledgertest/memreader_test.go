package ledgertest_test

import (
	"testing"

	"github.com/openchargeback/ocb/lib/ledger/ledgertest"
)

// MemReader keeps the StatementReader contract the backends keep (the
// ledger suite runs it on each): tests built on it read as on a ledger.
func TestMemReaderContract(t *testing.T) {
	ledgertest.TestStatementReader(t, ledgertest.ContractMemReader(), nil)
}
