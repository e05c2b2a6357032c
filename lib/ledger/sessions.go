package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
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

// touchEvery is how stale a session's last_seen may get before a request
// writes it again: one write a minute per session, not one per page, so a
// long import holding the write lock does not stall page views. The idle
// timeout is therefore honoured to within a minute.
const touchEvery = time.Minute

// AddSession records a new session of user, begun at now, until expires,
// removing sessions that have expired.
func (l *Ledger) AddSession(ctx context.Context, id, user string, now, expires time.Time) error {
	if _, err := l.db.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires < ?`, stamp(now)); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if _, err := l.db.ExecContext(ctx, `INSERT INTO web_sessions(id, who, expires, last_seen) VALUES (?,?,?,?)`,
		sessionKey(id), user, stamp(expires), stamp(now)); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	return nil
}

// SessionActive reports whether the session exists, is not revoked, has
// not expired at now and, when idle > 0, saw a request within idle; it
// then records now as the session's last request.
func (l *Ledger) SessionActive(ctx context.Context, id string, now time.Time, idle time.Duration) (bool, error) {
	var last sql.NullString
	err := l.db.QueryRowContext(ctx, `SELECT last_seen FROM web_sessions WHERE id = ? AND revoked_at IS NULL AND expires > ?`,
		sessionKey(id), stamp(now)).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sessions: %w", err)
	}
	seen, perr := time.Parse(time.RFC3339, last.String)
	if last.Valid && perr == nil {
		if idle > 0 && now.Sub(seen) >= idle {
			return false, nil
		}
		if now.Sub(seen) < touchEvery {
			return true, nil
		}
	}
	if _, err := l.db.ExecContext(ctx, `UPDATE web_sessions SET last_seen = ? WHERE id = ?`, stamp(now), sessionKey(id)); err != nil {
		// The session is valid; only its idle clock is late.
		return true, fmt.Errorf("sessions: record the last request: %w", err)
	}
	return true, nil
}

// RevokeSession ends a session (logout) for every server of the ledger.
func (l *Ledger) RevokeSession(ctx context.Context, id string, now time.Time) error {
	if _, err := l.db.ExecContext(ctx, `UPDATE web_sessions SET revoked_at = ? WHERE id = ?`, stamp(now), sessionKey(id)); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	return nil
}

// RevokeUserSessions ends every live session of user on every server of
// the ledger (focus-load sessions revoke --user: a lost laptop, a leaver)
// and returns how many it ended.
func (l *Ledger) RevokeUserSessions(ctx context.Context, user string, now time.Time) (int64, error) {
	res, err := l.db.ExecContext(ctx, `UPDATE web_sessions SET revoked_at = ? WHERE who = ? AND revoked_at IS NULL AND expires > ?`,
		stamp(now), user, stamp(now))
	if err != nil {
		return 0, fmt.Errorf("sessions: revoke %s: %w", user, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sessions: revoke %s: %w", user, err)
	}
	return n, nil
}
