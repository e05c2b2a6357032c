package ledger

import "errors"

// ErrNoPeriod: the period has no record in the ledger.
var ErrNoPeriod = errors.New("no such period")
