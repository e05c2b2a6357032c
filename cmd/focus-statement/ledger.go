package main

import (
	"fmt"
	"io"
	"os"

	"github.com/openchargeback/ocb/lib/ledger"
)

// openLedger opens the ledger for statements. It is a variable so tests can
// replace it with an in-memory reader.
var openLedger = func(path string) (ledger.StatementReader, io.Closer, error) {
	// Statements read a ledger; they never create one by mistake.
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("ledger %s: %w (give --db FILE or FOCUS_DB; focus-load creates the ledger)", path, err)
	}
	l, err := ledger.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return l, l, nil
}
