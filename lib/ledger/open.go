package ledger

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoLedger is wrapped by OpenExisting's error when the file or database
// holds no ledger yet (serve then waits for the first import to create it).
var ErrNoLedger = errors.New("no ledger")

// OpenExisting opens a ledger that must already exist. Readers (statements,
// reports) use it so that a mistyped --db is an error instead of a new,
// empty ledger file created wherever the command happened to run.
func OpenExisting(dsn string) (*Ledger, error) {
	if _, err := backendFor(dsn); err != nil {
		return nil, fmt.Errorf("ledger not available: %w", err)
	}
	return openDSN(dsn, false)
}

// DropIfEmpty removes the ledger from its database when it holds nothing
// at all (no period, import, adjustment, dispute, audit record or web
// session) and reports whether it did; the ledger is closed either way
// only by Close. A command whose first import into a new server database
// failed calls it, so that the failure leaves no empty ledger schema
// behind, as it leaves no file on SQLite. The check and the drop run in
// one transaction under the write lock: a ledger another program has
// written to meanwhile is kept. Backends without Dialect.Drop (SQLite)
// drop nothing.
func (l *Ledger) DropIfEmpty(ctx context.Context) (bool, error) {
	if l.d.Drop == "" {
		return false, nil
	}
	dropped := false
	err := l.withTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT (SELECT count(*) FROM periods) + (SELECT count(*) FROM imports) + (SELECT count(*) FROM adjustments) + (SELECT count(*) FROM disputes) + (SELECT count(*) FROM audit) + (SELECT count(*) FROM web_sessions)`).Scan(&n); err != nil {
			return fmt.Errorf("drop the empty ledger: %w", err)
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.Exec(l.d.Drop); err != nil {
			return fmt.Errorf("drop the empty ledger: %w", err)
		}
		dropped = true
		return nil
	})
	return dropped, err
}
