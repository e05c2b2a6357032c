package ledger

import (
	"errors"
	"fmt"
)

// ErrNoPeriod is returned (wrapped, with the period's name) when a period
// the caller names has no record in the ledger: no import ever opened it.
// StatementReader.Period, the period changes (close, reopen, finalize)
// and adjustments and disputes of an unknown period return it; test with
// errors.Is.
var ErrNoPeriod = errors.New("no such period")

// RefusedError is returned when the ledger's rules refuse a change (exit 1
// in the CLI): by the ledger's code (a closed period's import, an
// unfinished review at finalize, the same rows under a second source…),
// or by a trigger or constraint of the database, which the backend's
// Dialect.Translate turns into one (Err is then the driver's error, Msg
// the trigger's message). Test with IsRefused: InvalidRowsError and
// StaleError are refusals too.
type RefusedError struct {
	Msg string
	Err error
}

func (e *RefusedError) Error() string { return e.Msg }

// Unwrap returns the driver's error, if any.
func (e *RefusedError) Unwrap() error { return e.Err }

func refused(format string, a ...any) error { return &RefusedError{Msg: fmt.Sprintf(format, a...)} }

// IsRefused reports whether err is a refusal by the ledger's rules: a
// *RefusedError (a trigger's or a constraint's included, see
// Dialect.Translate), an *InvalidRowsError or a *StaleError.
func IsRefused(err error) bool {
	var r *RefusedError
	if errors.As(err, &r) {
		return true
	}
	var inv *InvalidRowsError
	if errors.As(err, &inv) {
		return true
	}
	// A driver error that escaped the dialect's translation (a Scan's
	// error, say): any registered backend may recognize it.
	return refusedByBackend(err)
}
