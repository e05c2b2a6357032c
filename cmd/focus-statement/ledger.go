package main

import (
	"io"

	"github.com/openchargeback/ocb/lib/ledger"
)

// openLedger opens an existing ledger for statements (never creating one by
// mistake). It is a variable so tests can replace it with an in-memory reader.
var openLedger = func(path string) (ledger.StatementReader, io.Closer, error) {
	l, err := ledger.OpenExisting(path)
	if err != nil {
		return nil, nil, err
	}
	return l, l, nil
}
