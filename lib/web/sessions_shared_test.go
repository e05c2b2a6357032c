package web

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/openchargeback/ocb/internal/pgtest"
	"github.com/openchargeback/ocb/lib/ledger"
)

// Two serve processes of one ledger (on one host, or two behind a load
// balancer) share sessions through the ledger database: a session begun
// on one is valid on the other, a logout on one ends it on both, and a
// restarted server still knows the sessions. On SQLite and on PostgreSQL
// (with FOCUS_TEST_POSTGRES).
func TestSessionsSharedThroughTheLedger(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testSharedSessions(t, filepath.Join(t.TempDir(), "ledger.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		testSharedSessions(t, pgtest.DSN(t))
	})
}

func testSharedSessions(t *testing.T, dsn string) {
	key, err := LoadOrCreateKey(t.TempDir() + "/key") // the same key file on every host
	if err != nil {
		t.Fatal(err)
	}
	users := testUsers(t) // the same users file on every host
	server := func() *harness {
		l, err := ledger.Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		b := &LedgerBackend{Ledger: l}
		return newHarness(t, b, func(c *Config) { c.Key, c.Sessions, c.Users = key, b, users })
	}
	a, b := server(), server()
	on := func(h *harness, br *browser) int {
		r, _ := http.NewRequest("GET", h.ts.URL+"/dashboard", nil)
		return br.do(r).Code
	}
	// (Cookies ignore ports: one browser's session cookie reaches both.)
	br := a.loggedIn("ada")
	if c := on(b, br); c != http.StatusOK {
		t.Fatalf("a session begun on server A, on server B: %d", c)
	}
	old := br.c.Jar.Cookies(mustURL(a.ts.URL))
	if len(old) == 0 {
		t.Fatal("no session cookie")
	}
	wantCode(t, br.post("/logout", nil), http.StatusSeeOther)
	// The old cookie, replayed after the logout, is refused by both.
	br2 := a.browser()
	br2.c.Jar.SetCookies(mustURL(a.ts.URL), old)
	for name, h := range map[string]*harness{"A": a, "B": b} {
		if c := on(h, br2); c != http.StatusSeeOther {
			t.Errorf("a cookie logged out on server A, on server %s: %d, want 303 to sign-in", name, c)
		}
	}
	// A session of B survives B's restart (a new process: C).
	br3 := b.loggedIn("rev")
	c := server()
	if code := on(c, br3); code != http.StatusOK {
		t.Fatalf("a session of server B after a restart: %d", code)
	}
}
