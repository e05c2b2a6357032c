package ledger

import (
	"context"
	"fmt"
)

// PINamer is an optional StatementReader method: the name a PI's charges
// carry in any period. A statement of a period where the PI has only
// adjustments (a credit, a moved charge) still shows who it is for.
type PINamer interface {
	PINames(ctx context.Context, emails []string) (map[string]string, error)
}

var _ PINamer = (*Ledger)(nil)

// PINames returns the pi_name of each e-mail's latest charges (from the
// per-line sums, a few thousand rows a month); e-mails without one are
// absent.
func (l *Ledger) PINames(ctx context.Context, emails []string) (map[string]string, error) {
	out := map[string]string{}
	for _, e := range emails {
		var name string
		err := l.db.QueryRowContext(ctx, `SELECT coalesce(max(pi_name), '') FROM import_lines
			WHERE pi_email = ? AND pi_name <> '' AND period = (SELECT max(period) FROM import_lines WHERE pi_email = ? AND pi_name <> '')`, e, e).Scan(&name)
		if err != nil {
			return nil, fmt.Errorf("name of PI %s: %w", e, err)
		}
		if name != "" {
			out[e] = name
		}
	}
	return out, nil
}
