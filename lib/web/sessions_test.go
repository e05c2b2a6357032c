package web

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/openchargeback/ocb/lib/ledger"
)

// A session begun before a user's password changed is refused by a server
// started with the new users file (sessions kept in the ledger, one key).
func TestChangedPasswordEndsSessions(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "ledger.db")
	key, err := LoadOrCreateKey(t.TempDir() + "/key")
	if err != nil {
		t.Fatal(err)
	}
	users := testUsers(t)
	server := func(us Users) *harness {
		l, err := ledger.Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		b := &LedgerBackend{Ledger: l}
		return newHarness(t, b, func(c *Config) { c.Key, c.Sessions, c.Users = key, b, us })
	}
	a := server(users)
	ada, rev := a.loggedIn("ada"), a.loggedIn("rev")
	changed := Users{}
	for n, u := range users {
		changed[n] = u
	}
	h, _ := bcrypt.GenerateFromPassword([]byte("a new password for ada"), bcrypt.MinCost)
	changed["ada"] = User{Name: "ada", Role: RoleAdmin, Hash: h}
	b := server(changed) // the restart with the edited users file
	on := func(h *harness, br *browser) int {
		r, _ := http.NewRequest("GET", h.ts.URL+"/dashboard", nil)
		return br.do(r).Code
	}
	if c := on(b, ada); c != http.StatusSeeOther {
		t.Errorf("ada's session from before the password change: %d, want 303 to sign-in", c)
	}
	if c := on(b, rev); c != http.StatusOK {
		t.Errorf("rev's session (password unchanged): %d", c)
	}
}

// A session with no request for the idle timeout ends; one in use does not.
func TestIdleTimeout(t *testing.T) {
	for _, shared := range []bool{false, true} {
		name := "cookies"
		if shared {
			name = "ledger"
		}
		t.Run(name, func(t *testing.T) {
			var tweak []func(*Config)
			if shared {
				l, err := ledger.Open(filepath.Join(t.TempDir(), "ledger.db"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { l.Close() })
				b := &LedgerBackend{Ledger: l}
				tweak = append(tweak, func(c *Config) { c.Ledger, c.Sessions = b, b })
			}
			h := newHarness(t, sampleLedger(), append(tweak, func(c *Config) { c.IdleTimeout = 30 * time.Minute })...)
			b := h.loggedIn("vic")
			for i := 0; i < 4; i++ { // two hours of use, a request every 29 minutes
				h.clock.Add(29 * time.Minute)
				wantCode(t, b.get("/dashboard"), http.StatusOK)
			}
			h.clock.Add(30 * time.Minute)
			wantCode(t, b.get("/dashboard"), http.StatusSeeOther)
		})
	}
}

// focus-load sessions revoke --user ends a user's sessions on a running server.
func TestRevokeUserSessionsOnARunningServer(t *testing.T) {
	l, err := ledger.Open(filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	lb := &LedgerBackend{Ledger: l}
	h := newHarness(t, lb, func(c *Config) { c.Sessions = lb })
	ada, rev := h.loggedIn("ada"), h.loggedIn("rev")
	if n, err := l.RevokeUserSessions(t.Context(), "ada", h.clock.Now()); err != nil || n != 1 {
		t.Fatalf("revoke: %d %v", n, err)
	}
	wantCode(t, ada.get("/dashboard"), http.StatusSeeOther)
	wantCode(t, rev.get("/dashboard"), http.StatusOK)
}
