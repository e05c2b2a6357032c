package mail

import (
	"errors"
	"fmt"
)

// StatementError is a problem with one statement: the field it concerns
// (an NDJSON name such as "pi.email" or "pdf", or "smtp" for delivery) and
// a short rule code, printed as "FILE:LINE: FIELD: message [rule]".
type StatementError struct {
	Field string
	Rule  string
	Err   error
}

func (e *StatementError) Error() string { return e.Err.Error() }
func (e *StatementError) Unwrap() error { return e.Err }

func fieldErr(field, rule string, err error) error {
	return &StatementError{Field: field, Rule: rule, Err: err}
}

func fieldErrf(field, rule, format string, a ...any) error {
	return &StatementError{Field: field, Rule: rule, Err: fmt.Errorf(format, a...)}
}

// ErrFatal marks a delivery failure that will fail for every statement the
// same way (authentication refused, TLS certificate not trusted, STARTTLS
// not offered): the run stops instead of hammering the server, which could
// lock the account.
var ErrFatal = errors.New("delivery cannot work with this configuration")
