package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// Web sessions live in the ledger database (table web_sessions, created by
// each backend's migrations), so that every `focus-statement serve` of one ledger, on one
// host or several behind a load balancer, sees the same sessions: a logout
// on one ends the session on all, and a restart keeps the others. Only a
// hash of the session id is stored: whoever reads the database cannot
// take a session over. Sessions are not ledger data: not audited (serve
// audits sign-ins and sign-outs), not bound to periods, not copied by
// CopyTo.

func sessionKey(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// AddSession records a new session of user until expires, removing
// sessions that have expired.
func (l *Ledger) AddSession(ctx context.Context, id, user string, expires time.Time) error {
	if _, err := l.db.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires < ?`, stamp(l.now())); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if _, err := l.db.ExecContext(ctx, `INSERT INTO web_sessions(id, who, expires) VALUES (?,?,?)`, sessionKey(id), user, stamp(expires)); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	return nil
}

// SessionActive reports whether the session exists, is not revoked and
// has not expired at now.
func (l *Ledger) SessionActive(ctx context.Context, id string, now time.Time) (bool, error) {
	var n int
	err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM web_sessions WHERE id = ? AND revoked_at IS NULL AND expires > ?`,
		sessionKey(id), stamp(now)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sessions: %w", err)
	}
	return n == 1, nil
}

// RevokeSession ends a session (logout) for every server of the ledger.
func (l *Ledger) RevokeSession(ctx context.Context, id string, now time.Time) error {
	if _, err := l.db.ExecContext(ctx, `UPDATE web_sessions SET revoked_at = ? WHERE id = ?`, stamp(now), sessionKey(id)); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	return nil
}
