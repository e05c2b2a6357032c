package web

import (
	"context"

	"github.com/openchargeback/ocb/lib/ledger"
)

// Ledger is what the web interface reads: the same read contract as
// lib/statement.
type Ledger interface {
	ledger.StatementReader
}

// Auditor is implemented by a ledger that records web security events
// (sign-ins, failed sign-ins, sign-outs) in its audit table.
type Auditor interface {
	AuditWeb(ctx context.Context, who, action, detail string) error
}
