package web

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
)

// LazyBackend is the Backend of a ledger that does not exist yet: serve on
// a new site starts before anything was imported, and the first import
// creates the ledger (still only an import creates one). Until then it is
// an empty ledger: no periods, and every change refused; then Set makes
// it the real one.
//
// Sessions started before the ledger existed are kept here and written to
// the ledger's session table when it is set, so the admin who uploads the
// first file is not signed out by their own upload.
type LazyBackend struct {
	mu       sync.RWMutex
	b        Backend
	sessions map[string]pendingSession
}

type pendingSession struct {
	user           string
	began, expires time.Time
	last           time.Time // the last request, for the idle timeout
}

var (
	_ Backend      = (*LazyBackend)(nil)
	_ Auditor      = (*LazyBackend)(nil)
	_ PIDisputer   = (*LazyBackend)(nil)
	_ SessionStore = (*LazyBackend)(nil)
	_ AuditLister  = (*LazyBackend)(nil)
	_ Corrector    = (*LazyBackend)(nil)
	_ RuleKeeper   = (*LazyBackend)(nil)
)

// NewLazyBackend returns a backend whose ledger does not exist yet.
func NewLazyBackend() *LazyBackend {
	return &LazyBackend{sessions: map[string]pendingSession{}}
}

// Set makes b the ledger and hands it the sessions started so far.
func (l *LazyBackend) Set(ctx context.Context, b Backend) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st, ok := b.(SessionStore); ok {
		for id, s := range l.sessions {
			if err := st.AddSession(ctx, id, s.user, s.began, s.expires); err != nil {
				return err
			}
		}
	}
	l.b, l.sessions = b, nil
	return nil
}

// LedgerMissing reports that no import has created the ledger yet.
func (l *LazyBackend) LedgerMissing() bool { return l.get() == nil }

func (l *LazyBackend) get() Backend {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.b
}

// errNoLedger is what a change gets before the first import.
var errNoLedger = fmt.Errorf("there is no ledger yet: import a usage file first (the first import creates it): %w", ErrRefused)

func (l *LazyBackend) Period(ctx context.Context, p string) (ledger.PeriodInfo, error) {
	if b := l.get(); b != nil {
		return b.Period(ctx, p)
	}
	return ledger.PeriodInfo{}, fmt.Errorf("period %s: %w", p, ledger.ErrNoPeriod)
}

func (l *LazyBackend) Periods(ctx context.Context) ([]ledger.PeriodInfo, error) {
	if b := l.get(); b != nil {
		return b.Periods(ctx)
	}
	return nil, nil
}

func (l *LazyBackend) EachCharge(ctx context.Context, p string, fn func(*ledger.Charge) error) error {
	if b := l.get(); b != nil {
		return b.EachCharge(ctx, p, fn)
	}
	return fmt.Errorf("period %s: %w", p, ledger.ErrNoPeriod)
}

func (l *LazyBackend) Adjustments(ctx context.Context, p string) ([]ledger.Adjustment, error) {
	if b := l.get(); b != nil {
		return b.Adjustments(ctx, p)
	}
	return nil, nil
}

func (l *LazyBackend) MonthlyTotals(ctx context.Context, from, to string) ([]ledger.MonthTotal, error) {
	if b := l.get(); b != nil {
		return b.MonthlyTotals(ctx, from, to)
	}
	return nil, nil
}

func (l *LazyBackend) Charges(ctx context.Context, f ChargeFilter) ([]ChargeRow, int, error) {
	if b := l.get(); b != nil {
		return b.Charges(ctx, f)
	}
	return nil, 0, nil
}

func (l *LazyBackend) EachChargeRow(ctx context.Context, f ChargeFilter, fn func(*ChargeRow) error) error {
	if b := l.get(); b != nil {
		return b.EachChargeRow(ctx, f, fn)
	}
	return nil
}

func (l *LazyBackend) PeriodAction(ctx context.Context, a Actor, p, action string) error {
	if b := l.get(); b != nil {
		return b.PeriodAction(ctx, a, p, action)
	}
	return errNoLedger
}

func (l *LazyBackend) Decide(ctx context.Context, a Actor, d ReviewDecision) (int, error) {
	if b := l.get(); b != nil {
		return b.Decide(ctx, a, d)
	}
	return 0, errNoLedger
}

func (l *LazyBackend) AddAdjustment(ctx context.Context, a Actor, adj NewAdjustment) (int64, error) {
	if b := l.get(); b != nil {
		return b.AddAdjustment(ctx, a, adj)
	}
	return 0, errNoLedger
}

func (l *LazyBackend) Disputes(ctx context.Context, p string) ([]Dispute, error) {
	if b := l.get(); b != nil {
		return b.Disputes(ctx, p)
	}
	return nil, nil
}

func (l *LazyBackend) OpenDispute(ctx context.Context, a Actor, d NewDispute) (int64, error) {
	if b := l.get(); b != nil {
		return b.OpenDispute(ctx, a, d)
	}
	return 0, errNoLedger
}

func (l *LazyBackend) ResolveDispute(ctx context.Context, a Actor, id int64, note string) error {
	if b := l.get(); b != nil {
		return b.ResolveDispute(ctx, a, id, note)
	}
	return errNoLedger
}

func (l *LazyBackend) OpenPIDispute(ctx context.Context, d NewPIDispute) (int64, error) {
	if pd, ok := l.get().(PIDisputer); ok {
		return pd.OpenPIDispute(ctx, d)
	}
	return 0, errNoLedger
}

// VoidAdjustment, MoveCharge, OwnerRules and RemoveRule pass through to
// the ledger once an import has made it, so a site begun in the browser
// gets the correction pages without a restart of serve.
func (l *LazyBackend) VoidAdjustment(ctx context.Context, a Actor, id int64, reason string) (int64, string, error) {
	if c, ok := l.get().(Corrector); ok {
		return c.VoidAdjustment(ctx, a, id, reason)
	}
	return 0, "", errNoLedger
}

func (l *LazyBackend) MoveCharge(ctx context.Context, a Actor, m ChargeMove) (string, error) {
	if c, ok := l.get().(Corrector); ok {
		return c.MoveCharge(ctx, a, m)
	}
	return "", errNoLedger
}

func (l *LazyBackend) OwnerRules(ctx context.Context) ([]ledger.OwnerRule, error) {
	if k, ok := l.get().(RuleKeeper); ok {
		return k.OwnerRules(ctx)
	}
	return nil, nil
}

func (l *LazyBackend) RemoveRule(ctx context.Context, a Actor, id int64) error {
	if k, ok := l.get().(RuleKeeper); ok {
		return k.RemoveRule(ctx, a, id)
	}
	return errNoLedger
}

// Audit lists the ledger's audit log; before the ledger exists there is none.
func (l *LazyBackend) Audit(ctx context.Context, period string) ([]ledger.AuditRecord, error) {
	if al, ok := l.get().(AuditLister); ok {
		return al.Audit(ctx, period)
	}
	return nil, nil
}

// AuditWeb records in the ledger's audit table once there is one; before,
// the server log (which every event also goes to) is the only record.
func (l *LazyBackend) AuditWeb(ctx context.Context, who, action, detail string) error {
	if a, ok := l.get().(Auditor); ok {
		return a.AuditWeb(ctx, who, action, detail)
	}
	return nil
}

func (l *LazyBackend) AddSession(ctx context.Context, id, user string, now, expires time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st, ok := l.b.(SessionStore); ok {
		return st.AddSession(ctx, id, user, now, expires)
	}
	if l.b == nil {
		l.sessions[id] = pendingSession{user: user, began: now, expires: expires, last: now}
	}
	return nil
}

// SessionActive runs on every request: once the ledger is set, the
// ledger answers without this backend's write lock held across its query.
func (l *LazyBackend) SessionActive(ctx context.Context, id string, now time.Time, idle time.Duration) (bool, error) {
	if active, set := l.pendingActive(id, now, idle); !set {
		return active, nil
	}
	if st, ok := l.get().(SessionStore); ok {
		return st.SessionActive(ctx, id, now, idle)
	}
	return true, nil // a ledger without a session table: the signed cookie decides
}

// pendingActive answers for a session while there is no ledger, keeping
// its idle clock; set reports that the ledger exists and answers instead.
func (l *LazyBackend) pendingActive(id string, now time.Time, idle time.Duration) (active, set bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b != nil {
		return false, true
	}
	s, ok := l.sessions[id]
	if !ok || !now.Before(s.expires) || (idle > 0 && now.Sub(s.last) >= idle) {
		return false, false
	}
	s.last = now
	l.sessions[id] = s
	return true, false
}

func (l *LazyBackend) RevokeSession(ctx context.Context, id string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st, ok := l.b.(SessionStore); ok {
		return st.RevokeSession(ctx, id, now)
	}
	if l.b == nil {
		delete(l.sessions, id)
	}
	return nil
}
