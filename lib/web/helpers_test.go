package web

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// testUsers has one user per role; every password is "password-<name>".
func testUsers(t testing.TB) Users {
	t.Helper()
	us := Users{}
	for _, u := range []struct {
		name string
		role Role
	}{{"ada", RoleAdmin}, {"rev", RoleReviewer}, {"vic", RoleViewer}} {
		h, err := bcrypt.GenerateFromPassword([]byte("password-"+u.name), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		us[u.name] = User{Name: u.name, Role: u.role, Hash: h}
	}
	return us
}

// clock is a settable time for throttling and expiry tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type harness struct {
	t     testing.TB
	srv   *Server
	ts    *httptest.Server
	clock *clock
	logs  *bytes.Buffer
}

func newHarness(t testing.TB, l Backend, tweak ...func(*Config)) *harness {
	t.Helper()
	key, err := LoadOrCreateKey(t.TempDir() + "/key")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2025, 2, 3, 10, 0, 0, 0, time.UTC)}
	logs := &bytes.Buffer{}
	cfg := Config{Ledger: l, Users: testUsers(t), Key: key, Now: clk.Now,
		TempDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(logs, nil))}
	for _, f := range tweak {
		f(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if testing.Verbose() {
			t.Logf("%s %s", r.Method, r.URL)
		}
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return &harness{t: t, srv: s, ts: ts, clock: clk, logs: logs}
}

// browser is a client with its own cookie jar that does not follow
// redirects, so tests see every 303.
type browser struct {
	h    *harness
	c    *http.Client
	csrf string     // the last token seen on a page
	mu   sync.Mutex // guards csrf for tests posting from several goroutines
}

func (h *harness) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{h: h, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

type resp struct {
	Code int
	Body string
	Hdr  http.Header
}

func (b *browser) do(r *http.Request) resp {
	b.h.t.Helper()
	res, err := b.c.Do(r)
	if err != nil {
		b.h.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.mu.Lock()
		b.csrf = string(m[1])
		b.mu.Unlock()
	}
	return resp{res.StatusCode, string(body), res.Header}
}

func (b *browser) get(path string) resp {
	r, _ := http.NewRequest("GET", b.h.ts.URL+path, nil)
	return b.do(r)
}

// post sends a form; the CSRF token of the last page is added unless the
// form sets "csrf" itself.
func (b *browser) post(path string, form url.Values) resp {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		b.mu.Lock()
		form.Set("csrf", b.csrf)
		b.mu.Unlock()
	}
	r, _ := http.NewRequest("POST", b.h.ts.URL+path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(r)
}

func (b *browser) login(user string) {
	b.h.t.Helper()
	b.get("/login")
	r := b.post("/login", url.Values{"user": {user}, "password": {"password-" + user}})
	if r.Code != http.StatusSeeOther {
		b.h.t.Fatalf("login %s: %d %s", user, r.Code, r.Body)
	}
	b.get("/dashboard") // pick up the session's CSRF token
}

func (h *harness) loggedIn(user string) *browser {
	b := h.browser()
	b.login(user)
	return b
}

func mustContain(t testing.TB, r resp, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.Body, w) {
			t.Errorf("page (status %d) lacks %q:\n%s", r.Code, w, r.Body)
		}
	}
}

func wantCode(t testing.TB, r resp, code int) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("status %d, want %d; body:\n%s", r.Code, code, r.Body)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
