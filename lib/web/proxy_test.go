package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
)

func behindProxy(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} }

func TestClientIPTrustsOnlyGivenProxies(t *testing.T) {
	prox, err := ParseTrustedProxies([]string{"10.0.0.0/8", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTrustedProxies([]string{"10.0.0.0/33"}); err == nil {
		t.Error("a bad prefix accepted")
	}
	s := &Server{cfg: Config{TrustedProxies: prox}}
	for _, c := range []struct{ peer, xff, want string }{
		{"203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},          // not a proxy: the header is the client's word
		{"10.1.2.3:5000", "198.51.100.1", "198.51.100.1"},            // the proxy says who
		{"10.1.2.3:5000", "6.6.6.6, 198.51.100.1", "198.51.100.1"},   // a client-written entry to the left is ignored
		{"10.1.2.3:5000", "198.51.100.1, 192.0.2.7", "198.51.100.1"}, // two trusted hops
		{"10.1.2.3:5000", "", "10.1.2.3"},                            // no header: the proxy itself
		{"10.1.2.3:5000", "junk, 198.51.100.1", "198.51.100.1"},      // garbage left of a good hop
		{"10.1.2.3:5000", "198.51.100.1, junk", "10.1.2.3"},          // garbage from the proxy's side: stop at the proxy
		{"[::ffff:10.1.2.3]:5000", "198.51.100.1", "198.51.100.1"},   // IPv4-mapped peer
		{"[2001:db8::1]:5000", "198.51.100.1", "2001:db8::1"},        // untrusted IPv6 peer
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := s.clientIP(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: client %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
}

// loginFrom signs in a sign-in as if the proxy had forwarded it from addr.
func (b *browser) loginFrom(addr, user, pw string) resp {
	b.h.t.Helper()
	g, _ := http.NewRequest("GET", b.h.ts.URL+"/login", nil)
	g.Header.Set("X-Forwarded-For", addr)
	b.do(g)
	form := url.Values{"user": {user}, "password": {pw}, "csrf": {b.csrf}}
	r, _ := http.NewRequest("POST", b.h.ts.URL+"/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Forwarded-For", addr)
	return b.do(r)
}

// Behind the proxy, one client's failures lock that client, not everyone
// the proxy forwards.
func TestLoginThrottleBehindTrustedProxy(t *testing.T) {
	h := newHarness(t, sampleLedger(), behindProxy)
	b := h.browser()
	for i := 0; i < maxAddrFailures; i++ {
		b.loginFrom("198.51.100.1", fmt.Sprintf("user%d", i), "wrong")
	}
	wantCode(t, b.loginFrom("198.51.100.1", "ada", "password-ada"), http.StatusTooManyRequests)
	wantCode(t, h.browser().loginFrom("198.51.100.2", "ada", "password-ada"), http.StatusSeeOther)
	if !strings.Contains(h.logs.String(), "from 198.51.100.1") {
		t.Errorf("the audit names the proxy, not the client:\n%s", h.logs)
	}
}

// Guesses at one account spread over many addresses are limited too, and
// each failure past the limit doubles the lock.
func TestLoginThrottlePerAccountWithBackoff(t *testing.T) {
	h := newHarness(t, sampleLedger(), behindProxy)
	b := h.browser()
	for i := 0; i < maxAccountFailures; i++ {
		wantCode(t, b.loginFrom(fmt.Sprintf("198.51.100.%d", i+1), "ada", "wrong"), http.StatusUnauthorized)
	}
	r := b.loginFrom("203.0.113.1", "ada", "password-ada")
	wantCode(t, r, http.StatusTooManyRequests)
	if r.Hdr.Get("Retry-After") != "61" {
		t.Errorf("first lock: Retry-After %q, want 61", r.Hdr.Get("Retry-After"))
	}
	// Another account is not affected.
	wantCode(t, h.browser().loginFrom("203.0.113.2", "rev", "password-rev"), http.StatusSeeOther)
	h.clock.Add(lockout)
	wantCode(t, b.loginFrom("203.0.113.3", "ada", "wrong"), http.StatusUnauthorized)
	r = b.loginFrom("203.0.113.4", "ada", "password-ada")
	wantCode(t, r, http.StatusTooManyRequests)
	if r.Hdr.Get("Retry-After") != "121" {
		t.Errorf("second lock: Retry-After %q, want 121 (doubled)", r.Hdr.Get("Retry-After"))
	}
	h.clock.Add(2 * lockout)
	wantCode(t, b.loginFrom("203.0.113.5", "ada", "password-ada"), http.StatusSeeOther)
}

// A successful sign-in clears the address's count.
func TestLoginSuccessResetsAddress(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	fail := func(n int) {
		for i := 0; i < n; i++ {
			b.get("/login")
			wantCode(t, b.post("/login", url.Values{"user": {fmt.Sprintf("user%d", i)}, "password": {"wrong"}}), http.StatusUnauthorized)
		}
	}
	fail(maxAddrFailures - 1)
	h.browser().login("rev")
	fail(maxAddrFailures - 1)
}

func TestPILinkLimitedPerToken(t *testing.T) {
	b := piLedger(t)
	h := newHarness(t, b, withLinkKey, behindProxy)
	good := piToken(t, b, "ada@uni.edu", h.clock.Now().Add(time.Hour))
	c := h.browser()
	get := func(addr string) int {
		r, _ := http.NewRequest("GET", h.ts.URL+"/pi/"+good, nil)
		r.Header.Set("X-Forwarded-For", addr)
		return c.do(r).Code
	}
	for i := 0; i < piMaxRequests; i++ {
		if code := get(fmt.Sprintf("198.51.100.%d", i%200+1)); code != http.StatusOK {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	if code := get("203.0.113.1"); code != http.StatusTooManyRequests {
		t.Errorf("one link from a fresh address after %d requests: %d, want 429", piMaxRequests, code)
	}
	// Another PI's link from that address still works.
	r, _ := http.NewRequest("GET", h.ts.URL+"/pi/"+piToken(t, b, "grace@uni.edu", h.clock.Now().Add(time.Hour)), nil)
	r.Header.Set("X-Forwarded-For", "203.0.113.1")
	wantCode(t, c.do(r), http.StatusOK)
}

// Failed sign-ins with huge names add bounded audit rows, and a lockout is
// audited once per window however often the locked form is sent.
func TestLoginAuditBounded(t *testing.T) {
	l, err := ledger.Open(filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	h := newHarness(t, &LedgerBackend{Ledger: l})
	b := h.browser()
	long := strings.Repeat("é", 8000) // 16,000 bytes (48 KB encoded: the form takes 64 KiB)
	for i := 0; i < 30; i++ {
		b.get("/login")
		b.post("/login", url.Values{"user": {long}, "password": {"wrong"}})
	}
	rs, err := l.Audit(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	failed, locked := 0, 0
	for _, r := range rs {
		if len(r.Who) > nameCap+len("…") {
			t.Fatalf("audit row with a %d-byte name", len(r.Who))
		}
		switch {
		case strings.Contains(r.Action, "login-failed"):
			failed++
		case strings.Contains(r.Action, "login-locked"):
			locked++
		}
	}
	if failed != maxFailures || locked != 1 {
		t.Errorf("%d failed and %d lockout rows, want %d and 1", failed, locked, maxFailures)
	}
	// The next window's lockout is audited again.
	h.clock.Add(lockout)
	for i := 0; i < 3; i++ {
		b.get("/login")
		b.post("/login", url.Values{"user": {long}, "password": {"wrong"}})
	}
	rs, _ = l.Audit(t.Context(), "")
	locked = 0
	for _, r := range rs {
		if strings.Contains(r.Action, "login-locked") {
			locked++
		}
	}
	if locked != 2 {
		t.Errorf("%d lockout rows after a second window, want 2", locked)
	}
}
