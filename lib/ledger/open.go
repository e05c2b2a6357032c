package ledger

import (
	"errors"
	"fmt"
	"os"
)

// OpenExisting opens a ledger that must already exist. Readers (statements,
// reports) use it so that a mistyped --db is an error instead of a new,
// empty ledger file created wherever the command happened to run.
func OpenExisting(path string) (*Ledger, error) {
	if b, _, err := backendFor(path); err != nil {
		return nil, fmt.Errorf("ledger not available: %w", err)
	} else if b.Open != nil {
		return openDSN(path, false)
	}
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("ledger not available: %s does not exist; the first `focus-load import` creates it (or give the right --db / FOCUS_DB): %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("ledger not available: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("ledger not available: %s is not a file", path)
	}
	return Open(path)
}
