package ledger

import (
	"context"
	"fmt"
	"time"
)

// Seen is the review state a decision was made from: charge id → the status
// ("pending", "approved", "rejected") the person deciding saw. A decision
// whose item has changed since is refused (a *RefusedError naming who
// decided what and when), so two reviewers, or a stale page, never
// silently overwrite each other. Ids not in Seen are not checked.
type Seen map[int64]string

// StaleError is the refusal of a decision made from an outdated view.
type StaleError struct {
	ChargeID  int64
	Seen, Now string // status seen, current status
	By        string // who made the current decision ("" unknown)
	At        time.Time
}

func (e *StaleError) Error() string {
	m := fmt.Sprintf("charge %d was %s", e.ChargeID, e.Now)
	if e.Now == "pending" {
		m = fmt.Sprintf("charge %d was put back to pending", e.ChargeID)
	}
	if e.By != "" {
		m += " by " + e.By
	}
	if !e.At.IsZero() {
		m += " at " + e.At.UTC().Format("2006-01-02 15:04 UTC")
	}
	return m + fmt.Sprintf(" after you saw it %s", e.Seen)
}

// Unwrap makes a stale decision a refusal (IsRefused, exit 1).
func (e *StaleError) Unwrap() error { return &RefusedError{Msg: e.Error()} }

// check refuses the decision on id when its current status is not the one seen.
func (s Seen) check(tx *Tx, id int64, now string) error {
	want, ok := s[id]
	if !ok || want == now {
		return nil
	}
	e := &StaleError{ChargeID: id, Seen: want, Now: now}
	var at string
	tx.QueryRow(`SELECT coalesce(decided_by,''), coalesce(decided_at,'') FROM review WHERE charge_id = ?`, id).Scan(&e.By, &at)
	e.At, _ = time.Parse(time.RFC3339, at)
	return e
}

// AssignSeen assigns tags like Assign, refusing the whole decision when
// any item is no longer in the state seen ("" = not a review item).
func (l *Ledger) AssignSeen(ctx context.Context, a Actor, ids []int64, values map[string]string, tagKey func(role string) string, seen Seen) error {
	_, err := l.AssignTags(ctx, a, ids, values, tagKey, seenOptions("", seen))
	return err
}

// ApproveSeen approves review items like Approve, refusing the whole
// decision when any item is no longer in the state seen.
func (l *Ledger) ApproveSeen(ctx context.Context, a Actor, ids []int64, note string, seen Seen) error {
	_, err := l.Decide(ctx, a, ids, "approved", seenOptions(note, seen))
	return err
}

// RejectSeen rejects review items like Reject, refusing the whole decision
// when any item is no longer in the state seen.
func (l *Ledger) RejectSeen(ctx context.Context, a Actor, ids []int64, note string, seen Seen) error {
	_, err := l.Decide(ctx, a, ids, "rejected", seenOptions(note, seen))
	return err
}

// seenOptions: a decision made from a page that showed each item's state
// may change a decided item (the reviewer saw it decided: Any), but only
// while it is still in that state (Seen).
func seenOptions(note string, seen Seen) DecideOptions {
	return DecideOptions{Note: note, Any: true, Seen: seen}
}
