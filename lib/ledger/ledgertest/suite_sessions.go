package ledgertest

import (
	"testing"
	"time"
)

// testSessionsIdleAndRevokeUser: a session idle for the timeout ends, one
// in use does not (its last request is written at most once a minute),
// and RevokeUserSessions ends one user's sessions and no one else's.
func testSessionsIdleAndRevokeUser(t *testing.T, open Opener) {
	l := open(t)
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range [][2]string{{"a1", "ada"}, {"a2", "ada"}, {"r1", "rev"}} {
		if err := l.AddSession(ctx, s[0], s[1], t0, t0.Add(12*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	idle := 30 * time.Minute
	active := func(id string, at time.Time) bool {
		t.Helper()
		ok, err := l.SessionActive(ctx, id, at, idle)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	// a1 is used every 20 minutes for two hours; a2 not at all.
	for m := 20; m <= 120; m += 20 {
		if !active("a1", t0.Add(time.Duration(m)*time.Minute)) {
			t.Fatalf("a1 in use ended after %d minutes", m)
		}
	}
	if active("a2", t0.Add(31*time.Minute)) {
		t.Error("a2, idle 31 minutes, is still active")
	}
	if !active("r1", t0.Add(29*time.Minute)) {
		t.Error("r1, idle 29 minutes, ended")
	}
	n, err := l.RevokeUserSessions(ctx, "ada", t0.Add(121*time.Minute))
	// a1 and a2: an idle session is refused but stays on record until it
	// expires, so it is revoked (and counted) too.
	if err != nil || n != 2 {
		t.Errorf("revoked %d sessions of ada (%v), want 2", n, err)
	}
	if active("a1", t0.Add(122*time.Minute)) {
		t.Error("a1 active after revoking ada's sessions")
	}
	if !active("r1", t0.Add(40*time.Minute)) {
		t.Error("rev's session ended by revoking ada's")
	}
}
