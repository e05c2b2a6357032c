package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

func TestUnauthenticatedRedirectsToLogin(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	for _, p := range []string{"/", "/dashboard?period=2025-01"} {
		r := b.get(p)
		wantCode(t, r, http.StatusSeeOther)
		if loc := r.Hdr.Get("Location"); !strings.HasPrefix(loc, "/login?next=") {
			t.Errorf("GET %s → %q, want the login page", p, loc)
		}
	}
	r := b.post("/logout", nil)
	wantCode(t, r, http.StatusSeeOther)
	if loc := r.Hdr.Get("Location"); !strings.HasPrefix(loc, "/login") {
		t.Errorf("POST /logout unauthenticated → %q", loc)
	}
}

func TestLoginLogoutAndHeaders(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	r := b.get("/login")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, `<label for="user">`, `<label for="password">`, `name="csrf"`)
	if csp := r.Hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(r.Body, "<script>") || strings.Contains(r.Body, " style=") {
		t.Error("inline script or style on the login page")
	}
	r = b.post("/login", url.Values{"user": {"ada"}, "password": {"password-ada"}, "next": {"/dashboard?period=2025-01"}})
	wantCode(t, r, http.StatusSeeOther)
	if loc := r.Hdr.Get("Location"); loc != "/dashboard?period=2025-01" {
		t.Errorf("after login → %q", loc)
	}
	sc := r.Hdr.Get("Set-Cookie")
	for _, want := range []string{"ocb_session=", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(r.Hdr.Values("Set-Cookie")[0]+sc, want) {
			t.Errorf("session cookie %q lacks %s", sc, want)
		}
	}
	if strings.Contains(sc, "Secure") {
		t.Errorf("plain HTTP without --secure-cookies set a Secure cookie: %q", sc)
	}
	r = b.get("/dashboard")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "ada (admin)", "Sign out")
	if !strings.Contains(h.logs.String(), "action=login") {
		t.Errorf("login not audited: %s", h.logs)
	}
	r = b.post("/logout", nil)
	wantCode(t, r, http.StatusSeeOther)
	r = b.get("/dashboard")
	wantCode(t, r, http.StatusSeeOther) // the session ended
}

func TestLogoutRevokesTheCookieItself(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.loggedIn("vic")
	u, _ := url.Parse(h.ts.URL)
	stolen := b.c.Jar.Cookies(u)
	b.post("/logout", nil)
	thief := h.browser()
	thief.c.Jar.SetCookies(u, stolen)
	wantCode(t, thief.get("/dashboard"), http.StatusSeeOther)
}

func TestOpenRedirectRefused(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	b.get("/login")
	r := b.post("/login", url.Values{"user": {"ada"}, "password": {"password-ada"}, "next": {"//evil.example/x"}})
	if loc := r.Hdr.Get("Location"); loc != "/" {
		t.Errorf("next=//evil → %q", loc)
	}
}

func TestLoginCSRF(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	b.get("/login")
	r := b.post("/login", url.Values{"user": {"ada"}, "password": {"password-ada"}, "csrf": {"forged"}})
	wantCode(t, r, http.StatusForbidden)
	// No login cookie at all (a cross-site form post).
	c := h.browser()
	r = c.post("/login", url.Values{"user": {"ada"}, "password": {"password-ada"}, "csrf": {b.csrf}})
	wantCode(t, r, http.StatusForbidden)
}

func TestLoginThrottle(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	for i := 0; i < maxFailures; i++ {
		b.get("/login")
		r := b.post("/login", url.Values{"user": {"ada"}, "password": {"wrong"}})
		wantCode(t, r, http.StatusUnauthorized)
		mustContain(t, r, "Wrong user name or password.")
	}
	// Locked: even the right password is refused now.
	b.get("/login")
	r := b.post("/login", url.Values{"user": {"ada"}, "password": {"password-ada"}})
	wantCode(t, r, http.StatusTooManyRequests)
	mustContain(t, r, "Too many failed sign-ins")
	if r.Hdr.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// Another user from the same address is not locked out.
	other := h.browser()
	other.login("rev")
	// After the lockout the right password works again.
	h.clock.Add(lockout + time.Second)
	b.get("/login")
	r = b.post("/login", url.Values{"user": {"ada"}, "password": {"password-ada"}})
	wantCode(t, r, http.StatusSeeOther)
	logs := h.logs.String()
	if strings.Count(logs, "action=login-failed") != maxFailures || !strings.Contains(logs, "action=login-locked") {
		t.Errorf("attempts not audited:\n%s", logs)
	}
}

func TestUnknownUserCostsTheSame(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	b.get("/login")
	r := b.post("/login", url.Values{"user": {"nobody"}, "password": {"password-nobody"}})
	wantCode(t, r, http.StatusUnauthorized)
	mustContain(t, r, "Wrong user name or password.")
}

func TestSessionExpires(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.loggedIn("vic")
	h.clock.Add(sessionTTL + time.Minute)
	wantCode(t, b.get("/dashboard"), http.StatusSeeOther)
}

func TestTamperedCookieRefused(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.loggedIn("vic")
	u, _ := url.Parse(h.ts.URL)
	cs := b.c.Jar.Cookies(u)
	for i, c := range cs {
		if c.Name == sessionCookie {
			// Claim to be ada with vic's signature.
			p := strings.Split(c.Value, ".")
			p[1] = "YWRh"
			cs[i].Value = strings.Join(p, ".")
		}
	}
	b.c.Jar.SetCookies(u, cs)
	wantCode(t, b.get("/dashboard"), http.StatusSeeOther)
}

func TestDashboard(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.loggedIn("vic")
	r := b.get("/dashboard?period=2025-01")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r,
		"Dashboard — 2025-01",
		"<dd>$3,415.01</dd>",                           // list: 2400 + 1000.005 + 10 + 5, rounded once
		"<dd>$915.00</dd>",                             // billed
		`<dd><span class="neg">−$2,500.01</span></dd>`, // covered, shown as a discount
		"<caption>By source</caption>", "<caption>By service</caption>", "<caption>Top PIs by list price</caption>",
		"HPC Compute", "Amazon EC2",
		`<a href="/review?period=2025-01">2</a>`, // two pending review items
		"&lt;script&gt;alert(1)&lt;/script&gt;@x",
		`class="state state-open">open`,
	)
	if strings.Contains(r.Body, "<script>alert") {
		t.Error("PI e-mail not escaped")
	}
	// A viewer gets no period buttons.
	if strings.Contains(r.Body, "confirm?action=close") {
		t.Error("viewer sees the close button")
	}
	a := h.loggedIn("ada")
	mustContain(t, a.get("/dashboard"), "confirm?action=close", "Dashboard — 2025-01")
}

func TestDashboardUnknownPeriodAndEmptyLedger(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.loggedIn("vic")
	r := b.get("/dashboard?period=2030-01")
	wantCode(t, r, http.StatusNotFound)
	mustContain(t, r, "There is no period 2030-01")

	h2 := newHarness(t, &memLedger{})
	r = h2.loggedIn("ada").get("/dashboard")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "no periods yet", `href="/import"`)
}

func TestCoveredPctIsHonest(t *testing.T) {
	for _, c := range []struct{ list, billed, want string }{
		{"100", "0.04", "99.9%"}, {"100", "0", "100.0%"}, {"0", "0", "–"}, {"100", "100", "0.0%"}, {"100", "120", "-20.0%"},
	} {
		if got := coveredPct(dec(c.list), dec(c.billed)); got != c.want {
			t.Errorf("coveredPct(%s, %s) = %s, want %s", c.list, c.billed, got, c.want)
		}
	}
}

func TestStaticFiles(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	r := b.get("/static/app.js")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "prefers-color-scheme", "drop-zone")
	r = b.get("/static/app.css")
	mustContain(t, r, "prefers-color-scheme: dark", "[data-theme=dark]", ":focus-visible")
}

func TestSessionKeyFile(t *testing.T) {
	p := t.TempDir() + "/ledger.db.session-key"
	k1, err := LoadOrCreateKey(p)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", st.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(p)
	if err != nil || string(k1) != string(k2) || len(k1) != keyBytes {
		t.Fatalf("key not stable: %v", err)
	}
	os.Chmod(p, 0o644)
	if _, err := LoadOrCreateKey(p); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key accepted: %v", err)
	}
}

func TestParseUsers(t *testing.T) {
	h, err := HashPassword("correct horse battery", "ada")
	if err != nil {
		t.Fatal(err)
	}
	good := "# users\n\nada:admin:" + h + "\nrev:Reviewer:" + h + "\n"
	us, err := ParseUsers(strings.NewReader(good), "users")
	if err != nil || len(us) != 2 || us["rev"].Role != RoleReviewer {
		t.Fatalf("%v %v", us, err)
	}
	if _, ok := us.check("ada", "correct horse battery"); !ok {
		t.Error("right password refused")
	}
	if _, ok := us.check("ada", "wrong"); ok {
		t.Error("wrong password accepted")
	}
	for _, bad := range []struct{ in, want string }{
		{"ada:admin:secret\n", "not a bcrypt hash"},
		{"ada:root:" + h + "\n", "unknown role"},
		{"ada:admin:" + h + "\nada:viewer:" + h + "\n", "listed twice"},
		{"justaname\n", "want name:role:bcrypt-hash"},
		{"# nothing\n", "no users"},
	} {
		if _, err := ParseUsers(strings.NewReader(bad.in), "users"); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: err %v, want %q", bad.in, err, bad.want)
		}
	}
	if _, err := HashPassword("short", ""); err == nil {
		t.Error("short password hashed")
	}
}

// The password policy: 12 characters at least, none of the common ones or
// their dressed-up variants, not the user's name; each refusal says why.
func TestPasswordPolicy(t *testing.T) {
	for _, c := range []struct{ pw, user, why string }{
		{"12345678", "", "too short: 8 characters, at least 12"},
		{"tr0ub4dor&3", "", "too short"},
		{"éééééééééé", "", "too short: 10 characters"}, // characters, not bytes
		{"123456789012", "", "most common passwords"},
		{"Password1234", "", "most common passwords"},
		{"P@ssw0rd2024!", "", `common word or password ("password")`},
		{"!!Welcome2025!!", "", `("welcome")`},
		{"monkeymonkey12", "", `("monkeymonkey")`},
		{"Correct Horse Battery Staple", "", "most common passwords"},
		{"31415926535897", "", "no letters"},
		{"ada-is-the-admin-1815", "ada", "contains the user name"},
		{"aaaaaaaaaaaabbbb", "", "only 2 different characters"},
		{strings.Repeat("violet kettle harbour ", 4), "", "too long: 88 bytes, bcrypt takes at most 72"},
	} {
		err := CheckPassword(c.pw, c.user)
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%q: %v, want %q", c.pw, err, c.why)
		} else if !strings.Contains(err.Error(), "passphrase") {
			t.Errorf("%q: %v: no advice", c.pw, err)
		}
	}
	for _, good := range []string{"correct horse battery", "violet-kettle-harbour", "Zebra anvil 42 mosaic"} {
		if err := CheckPassword(good, "ada"); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
}

func TestLogoutNeedsPostAndCSRF(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.loggedIn("vic")
	wantCode(t, b.get("/logout"), http.StatusMethodNotAllowed)
	r := b.post("/logout", url.Values{"csrf": {"forged"}})
	wantCode(t, r, http.StatusForbidden)
	mustContain(t, r, "security token")
	r = b.post("/logout", url.Values{"csrf": {""}})
	wantCode(t, r, http.StatusForbidden)
	wantCode(t, b.get("/dashboard"), http.StatusOK) // still signed in
}

func TestSecureCookiesOnTLSAndProxyFlag(t *testing.T) {
	key, _ := LoadOrCreateKey(t.TempDir() + "/k")
	for _, c := range []struct {
		name  string
		tls   bool
		proxy bool
	}{{"tls", true, false}, {"proxy", false, true}} {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(Config{Ledger: sampleLedger(), Users: testUsers(t), Key: key, SecureCookies: c.proxy})
			if err != nil {
				t.Fatal(err)
			}
			var ts *httptest.Server
			if c.tls {
				ts = httptest.NewTLSServer(s)
			} else {
				ts = httptest.NewServer(s)
			}
			defer ts.Close()
			cl := ts.Client()
			res, err := cl.Get(ts.URL + "/login")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			sc := res.Header.Get("Set-Cookie")
			if !strings.Contains(sc, "; Secure") || !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Strict") {
				t.Errorf("cookie %q", sc)
			}
			// Secure cookies carry the __Host- prefix (no cookie tossing
			// from a sibling subdomain), Path=/ and no Domain.
			if !strings.HasPrefix(sc, "__Host-ocb_login=") || !strings.Contains(sc, "Path=/;") || strings.Contains(sc, "Domain") {
				t.Errorf("login cookie %q, want __Host-ocb_login, Path=/, no Domain", sc)
			}
			// HSTS on direct TLS and behind a TLS proxy alike.
			if hsts := res.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
				t.Errorf("HSTS %q on tls=%v proxy=%v", hsts, c.tls, c.proxy)
			}
		})
	}
}

// Plain HTTP without --secure-cookies (loopback, development): no HSTS,
// bare cookie names (browsers refuse __Host- cookies that are not Secure).
func TestNoHSTSOnPlainHTTP(t *testing.T) {
	h := newHarness(t, sampleLedger())
	r := h.browser().get("/login")
	if hsts := r.Hdr.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("HSTS %q on plain HTTP", hsts)
	}
	if sc := r.Hdr.Get("Set-Cookie"); !strings.HasPrefix(sc, "ocb_login=") {
		t.Errorf("cookie %q", sc)
	}
}

// Behind a TLS proxy a whole sign-in uses the __Host- cookies, and a bare
// ocb_session cookie (tossed in by a sibling subdomain) is not read.
func TestHostPrefixedSessionBehindProxy(t *testing.T) {
	h := newHarness(t, sampleLedger(), func(c *Config) { c.SecureCookies = true })
	login := func() string {
		r := h.browser().get("/login")
		var lc string
		for _, c := range (&http.Response{Header: r.Hdr}).Cookies() {
			if c.Name == "__Host-ocb_login" {
				lc = c.Value
			}
		}
		if lc == "" {
			t.Fatalf("no __Host-ocb_login cookie: %v", r.Hdr["Set-Cookie"])
		}
		m := csrfRE.FindStringSubmatch(r.Body)
		form := url.Values{"user": {"ada"}, "password": {"password-ada"}, "csrf": {m[1]}}
		req, _ := http.NewRequest("POST", h.ts.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "__Host-ocb_login", Value: lc})
		res := h.browser().do(req)
		wantCode(t, res, http.StatusSeeOther)
		for _, c := range (&http.Response{Header: res.Hdr}).Cookies() {
			if c.Name == "__Host-ocb_session" && c.Secure && c.Path == "/" && c.Domain == "" {
				return c.Value
			}
		}
		t.Fatalf("no __Host-ocb_session cookie: %v", res.Hdr["Set-Cookie"])
		return ""
	}
	sess := login()
	get := func(name string) int {
		req, _ := http.NewRequest("GET", h.ts.URL+"/dashboard", nil)
		req.AddCookie(&http.Cookie{Name: name, Value: sess})
		return h.browser().do(req).Code
	}
	if c := get("__Host-ocb_session"); c != http.StatusOK {
		t.Errorf("the __Host- session: %d", c)
	}
	if c := get("ocb_session"); c != http.StatusSeeOther {
		t.Errorf("a bare ocb_session cookie behind the proxy: %d, want 303 to sign-in", c)
	}
}

// The sign-in form's token is good for loginTTL, whatever the cookie's
// Max-Age; a sign-in posted from another origin is refused.
func TestLoginTokenExpiresAndOriginChecked(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	b.get("/login")
	h.clock.Add(loginTTL + time.Second)
	r := b.post("/login", url.Values{"user": {"ada"}, "password": {"password-ada"}})
	wantCode(t, r, http.StatusForbidden)
	mustContain(t, r, "The sign-in form expired")
	b.get("/login")
	h.clock.Add(loginTTL - time.Minute)
	for _, o := range []string{"null", "https://people.uni.edu"} {
		form := url.Values{"user": {"ada"}, "password": {"password-ada"}, "csrf": {b.csrf}}
		req, _ := http.NewRequest("POST", h.ts.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", o)
		if r := b.do(req); r.Code != http.StatusForbidden {
			t.Errorf("sign-in with Origin %s: %d, want 403", o, r.Code)
		}
		b.get("/login")
	}
	req, _ := http.NewRequest("POST", h.ts.URL+"/login", strings.NewReader(url.Values{"user": {"ada"}, "password": {"password-ada"}, "csrf": {b.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", h.ts.URL)
	wantCode(t, b.do(req), http.StatusSeeOther)
}

func TestNewRefusesMissingSecrets(t *testing.T) {
	if _, err := New(Config{Ledger: sampleLedger(), Users: testUsers(t)}); err == nil || !strings.Contains(err.Error(), "session key") {
		t.Errorf("no key: %v", err)
	}
	key, _ := LoadOrCreateKey(t.TempDir() + "/k")
	if _, err := New(Config{Ledger: sampleLedger(), Key: key}); err == nil || !strings.Contains(err.Error(), "no users") {
		t.Errorf("no users: %v", err)
	}
}

func TestSafeNext(t *testing.T) {
	for _, bad := range []string{"//evil.example/x", "/\t/evil.example/x", "/\n/evil.example", "/\r//evil.example",
		"/\\evil.example", "\\/evil.example", "/\\/evil.example", "https://evil.example/", "evil.example", "/ /x\x00",
		"/\x7f/evil", " /x", "/x\u00a0", "javascript:alert(1)", ""} {
		if got := safeNext(bad); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", bad, got)
		}
	}
	for _, good := range []string{"/dashboard?period=2025-01", "/review?pi=a%2Fb&status=pending", "/statements/2025-01/x%40y"} {
		if got := safeNext(good); got != good {
			t.Errorf("safeNext(%q) = %q", good, got)
		}
	}
}

// GET /login?next=/%09/other-host/x and the same next in POST /login stay here.
func TestOpenRedirectControlChars(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	b.get("/login?next=/%09/other-host/x")
	r := b.post("/login", url.Values{"user": {"ada"}, "password": {"password-ada"}, "next": {"/\t/other-host/x"}})
	if loc := r.Hdr.Get("Location"); loc != "/" {
		t.Errorf("POST next=/%%09/other-host → %q", loc)
	}
	// Signed in now: GET /login with next redirects at once.
	r = b.get("/login?next=/%09/other-host/x")
	if loc := r.Hdr.Get("Location"); loc != "/" {
		t.Errorf("GET next=/%%09/other-host → %q", loc)
	}
}

// Many user names from one address are limited too (password spraying).
func TestLoginThrottlePerAddress(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	limited := 0
	for i := 0; i < 20; i++ {
		b.get("/login")
		r := b.post("/login", url.Values{"user": {fmt.Sprintf("user%d", i)}, "password": {"wrong"}})
		if r.Code == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 20-maxAddrFailures {
		t.Errorf("%d of 20 attempts limited, want %d", limited, 20-maxAddrFailures)
	}
	b.get("/login")
	wantCode(t, b.post("/login", url.Values{"user": {"ada"}, "password": {"password-ada"}}), http.StatusTooManyRequests)
	h.clock.Add(lockout + time.Second)
	b.get("/login")
	wantCode(t, b.post("/login", url.Values{"user": {"ada"}, "password": {"password-ada"}}), http.StatusSeeOther)
}
