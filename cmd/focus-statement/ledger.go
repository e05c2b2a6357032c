package main

import (
	"errors"
	"io"

	"github.com/openchargeback/ocb/lib/ledger"
)

// openLedger opens the ledger read-only for statements. It is a variable so
// that this command builds before lib/ledger's writer side (ledger.Open)
// exists on this branch: after the ledger branch is merged it becomes
//
//	var openLedger = func(path string) (ledger.StatementReader, io.Closer, error) {
//		l, err := ledger.Open(path)
//		if err != nil {
//			return nil, nil, err
//		}
//		return l, l, nil
//	}
//
// Tests replace it with an in-memory reader.
var openLedger = func(path string) (ledger.StatementReader, io.Closer, error) {
	return nil, nil, errors.New("ledger not available: this build has no lib/ledger.Open yet")
}
