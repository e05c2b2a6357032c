package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// safeNext keeps the post-login redirect on this site (no open redirect).
// It accepts only a path as a browser will read it: browsers drop tabs and
// newlines anywhere in a URL and read a backslash as "/", so "/%09/evil.example"
// (decoded: slash, tab, slash) would leave the site. Any control character,
// any backslash, a leading "//", a scheme or a host is refused.
func safeNext(n string) string {
	if n == "" || n[0] != '/' || strings.HasPrefix(n, "//") || strings.ContainsRune(n, '\\') {
		return "/"
	}
	for _, c := range n {
		if c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\u00a0' || c == '\u2028' || c == '\u2029' || c == '\ufeff' {
			return "/"
		}
	}
	u, err := url.Parse(n)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return n
}

type loginData struct {
	Next string
	User string
}

// loginForm shows the form with a pre-session CSRF token: a random value in
// a cookie, and its MAC in the form, so a cross-site page cannot log a
// victim into the attacker's account.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if _, ok := s.current(r); ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, "", "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, user, msg string) {
	// The cookie carries when the form was made, under the token's MAC:
	// the server, not the cookie's Max-Age, decides when it has expired,
	// so a token harvested for a login-CSRF attempt is good for minutes.
	id := randomID() + "." + strconv.FormatInt(s.cfg.Now().Unix(), 10)
	http.SetCookie(w, cookie(s.cookieName(r, loginCookie), id, s.secure(r), int(loginTTL.Seconds())))
	s.render(w, status, "login", view{Title: "Sign in", Error: msg,
		Q:    &req{CSRF: s.sess.csrfToken("login:" + id)},
		Data: loginData{Next: safeNext(r.FormValue("next")), User: user}})
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if !sameOrigin(r) {
		// A sign-in form posted from another site (login CSRF): the
		// browser says so in Origin, whatever cookies it carries.
		s.showLogin(w, r, http.StatusForbidden, "", "Sign in from this site's own sign-in page.")
		return
	}
	c, err := r.Cookie(s.cookieName(r, loginCookie))
	if err != nil || !s.sess.checkCSRF("login:"+c.Value, r.PostFormValue("csrf")) || !s.loginFresh(c.Value) {
		s.showLogin(w, r, http.StatusForbidden, "", "The sign-in form expired. Please try again.")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("user"))
	pw := r.PostFormValue("password")
	ip := s.clientIP(r)
	// Keys hold at most nameCap bytes of the name: a 64 KiB name must not
	// become a 64 KiB map key (nor a 64 KiB audit row, audit below).
	short := capName(name)
	keys := []struct {
		key string
		max int
	}{{"u\x00" + short + "\x00" + ip, maxFailures}, {"a\x00" + ip, maxAddrFailures}, {"n\x00" + short, maxAccountFailures}}
	now := s.cfg.Now()
	var until time.Time
	locked, news := false, false
	for _, k := range keys {
		if u, l := s.throttle.locked(k.key, k.max, now); l {
			locked = true
			news = s.throttle.noteLock(k.key, u) || news
			if u.After(until) {
				until = u
			}
		}
	}
	if locked {
		if news {
			s.audit(r.Context(), short, "login-locked", "from "+ip)
		}
		w.Header().Set("Retry-After", fmt.Sprint(int(until.Sub(now).Seconds())+1))
		s.showLogin(w, r, http.StatusTooManyRequests, name,
			fmt.Sprintf("Too many failed sign-ins. Try again after %s.", until.UTC().Format("15:04:05 UTC")))
		return
	}
	u, ok := s.cfg.Users.check(name, pw)
	if !ok {
		for _, k := range keys {
			s.throttle.fail(k.key, now)
		}
		s.audit(r.Context(), short, "login-failed", "from "+ip)
		s.showLogin(w, r, http.StatusUnauthorized, name, "Wrong user name or password.")
		return
	}
	s.throttle.success(keys[0].key, keys[1].key, keys[2].key)
	ss := session{ID: randomID(), User: u.Name, Expires: now.Add(sessionTTL), PW: s.sess.pwPrint(u)}
	if s.cfg.Sessions != nil {
		if err := s.cfg.Sessions.AddSession(r.Context(), ss.ID, ss.User, now, ss.Expires); err != nil {
			s.log.Error("session store", "err", err)
			s.showLogin(w, r, http.StatusServiceUnavailable, name, "The session could not be recorded in the ledger database. Try again in a moment.")
			return
		}
	}
	http.SetCookie(w, cookie(s.cookieName(r, sessionCookie), s.sess.encode(ss), s.secure(r), int(sessionTTL.Seconds())))
	http.SetCookie(w, cookie(s.cookieName(r, loginCookie), "", s.secure(r), -1))
	s.audit(r.Context(), u.Name, "login", "from "+ip+" as "+u.Role.String())
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// loginFresh reports whether a sign-in form's cookie value (id.unix-time,
// its MAC already checked) was made less than loginTTL ago.
func (s *Server) loginFresh(v string) bool {
	_, ts, ok := strings.Cut(v, ".")
	made, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil {
		return false
	}
	age := s.cfg.Now().Sub(time.Unix(made, 0))
	return age >= -time.Minute && age < loginTTL // a minute of clock skew between servers
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, q *req) {
	s.sess.revoke(q.Session, s.cfg.Now())
	if s.cfg.Sessions != nil {
		if err := s.cfg.Sessions.RevokeSession(r.Context(), q.Session.ID, s.cfg.Now()); err != nil {
			s.log.Error("session store: logout not shared with other servers", "err", err)
		}
	}
	http.SetCookie(w, cookie(s.cookieName(r, sessionCookie), "", s.secure(r), -1))
	s.audit(r.Context(), q.User.Name, "logout", "from "+s.clientIP(r))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// nameCap is how much of a typed user name throttling keys and the audit
// record keep: real names are short, and the sign-in form is open to all.
const nameCap = 64

// capName cuts name to nameCap bytes, on a rune boundary.
func capName(name string) string {
	if len(name) <= nameCap {
		return name
	}
	cut := nameCap
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + "…"
}
