// Package web is the web interface of OpenChargeback (`focus-statement
// serve`): dashboard, charge browser, review queue, statements, adjustments,
// disputes and import. It holds no billing rules: every change goes through
// the same lib/ledger functions as focus-load, so period states and
// finalized-is-permanent are enforced in one place. This package adds only
// what a web front needs on top: login, roles, sessions, CSRF, throttling,
// and HTML.
package web

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/openchargeback/ocb/lib/statement/pdf"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// DefaultMaxUpload is the default limit of one import request (all files together).
const DefaultMaxUpload = 512 << 20

// Config is what a Server needs.
type Config struct {
	Ledger        Backend
	Users         Users
	Key           []byte           // session key (LoadOrCreateKey)
	Sessions      SessionStore     // shared sessions (the ledger); nil = cookies alone
	MaxUpload     int64            // bytes per import request; 0 = DefaultMaxUpload
	ReadTimeout   time.Duration    // whole request, headers and body, except uploads; 0 = DefaultReadTimeout
	IdleTimeout   time.Duration    // a session ends after this long without a request; 0 = DefaultIdleTimeout
	SecureCookies bool             // mark cookies Secure even on plain HTTP (behind a TLS proxy)
	TempDir       string           // for uploads; "" = os.TempDir()
	Import        ImportFunc       // validate → flag → load; nil = import unavailable
	Institution   pdf.Institution  // issuer printed on statement PDFs
	LinkKey       []byte           // PI link key (lib/pilink); nil = PI pages off (pi.go)
	Notify        NotifyFunc       // e-mails a PI a dispute's resolution; nil = not offered (pi.go)
	Journal       *JournalSettings // the journal page's settings; nil = no journal (journal.go)
	Mail          *MailSettings    // mailing statements from the statements page; nil = off (mailing.go)
	Log           *slog.Logger
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (--trusted-proxy); empty = the header is ignored.
	TrustedProxies []netip.Prefix
	Now            func() time.Time // for tests; nil = time.Now
}

// Server serves the web interface.
type Server struct {
	cfg      Config
	sess     *sessions
	throttle *throttle
	pages    map[string]pageTemplate
	mux      *http.ServeMux
	log      *slog.Logger
	pdf      *pdf.Renderer
	piLimit  *piLimiter
	totals   *totalsCache // finalized periods' totals (dashboard trend)
	mailer   *mailer      // statement mailings; nil = off
	posts    []string     // every state-changing route's pattern, for the token tests
}

// New checks cfg and builds the server.
func New(cfg Config) (*Server, error) {
	if cfg.Ledger == nil {
		return nil, errors.New("web: no ledger")
	}
	if len(cfg.Users) == 0 {
		return nil, errors.New("web: no users (give --users FILE)")
	}
	if len(cfg.Key) < 16 {
		return nil, errors.New("web: session key missing or shorter than 16 bytes")
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, sess: newSessions(cfg.Key), throttle: newThrottle(), totals: newTotalsCache(),
		pages: pages, mux: http.NewServeMux(), log: cfg.Log, piLimit: newPILimiter()}
	if s.pdf, err = pdf.NewRenderer(cfg.Institution); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.routes()
	if cfg.Mail != nil {
		if s.mailer, err = newMailer(s, cfg.Mail); err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		s.mailer.resume()
	}
	return s, nil
}

// ServeHTTP adds the security headers every response carries.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No inline script or style anywhere: the CSP forbids both, so an
	// injected <script> cannot run even if escaping were ever bypassed.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	// On TLS, or behind a TLS proxy (--secure-cookies): the browser then
	// never tries plain HTTP to this host again, so no network attacker
	// can strip TLS from a later visit.
	if s.secure(r) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	s.mux.ServeHTTP(w, r)
}

// Route handlers get the request state through req.
type req struct {
	User    User
	Session session
	CSRF    string
}

type handler func(w http.ResponseWriter, r *http.Request, q *req)

// routes lists every URL with the least role it needs. Method patterns make
// the mux answer 405 to a GET on a POST-only route: GET never mutates.
func (s *Server) routes() {
	m := routeMux{s}
	static, _ := fs.Sub(staticFS, "static")
	fileServer := http.StripPrefix("/static/", http.FileServerFS(filesOnly{static}))
	m.HandleFunc("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	}))
	m.HandleFunc("GET /login", s.loginForm)
	m.HandleFunc("POST /login", s.loginSubmit)
	m.HandleFunc("POST /logout", s.auth(RoleViewer, s.logout))
	m.HandleFunc("GET /{$}", s.auth(RoleViewer, s.home))
	m.HandleFunc("GET /dashboard", s.auth(RoleViewer, s.dashboard))
	s.piRoutes(m)
	s.moreRoutes(m)
}

// filesOnly serves the files of an FS and hides its directories:
// http.FileServer would list a directory's contents, telling a visitor
// what the build ships.
type filesOnly struct{ fs.FS }

func (f filesOnly) Open(name string) (fs.File, error) {
	file, err := f.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := file.Stat(); err != nil || st.IsDir() {
		file.Close()
		return nil, fs.ErrNotExist
	}
	return file, nil
}

// routeMux registers routes on the server's mux and keeps the patterns of
// those that change state, so a test can send every one of them a forged
// request: a route added later is covered without touching the test.
type routeMux struct{ s *Server }

func (m routeMux) HandleFunc(pattern string, h http.HandlerFunc) {
	if method, _, _ := strings.Cut(pattern, " "); method != http.MethodGet {
		m.s.posts = append(m.s.posts, pattern)
	}
	m.s.mux.HandleFunc(pattern, h)
}

// auth wraps a handler: no session → the login page; role too low → 403;
// on POST, a missing or wrong CSRF token → 403.
func (s *Server) auth(min Role, h handler) http.HandlerFunc { return s.guard(min, false, h) }

// authUpload is auth for the one route that takes files: it alone accepts
// a multipart body, whose first part must be the token (the handler checks
// it before it reads a byte of any file).
func (s *Server) authUpload(min Role, h handler) http.HandlerFunc { return s.guard(min, true, h) }

func (s *Server) guard(min Role, upload bool, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		q, ok := s.current(r)
		if !ok {
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				next = "/"
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		if q.User.Role < min {
			s.fail(w, r, q, http.StatusForbidden, fmt.Sprintf("This needs the %s role; you are %s.", min, q.User.Role))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !s.postAllowed(r, q, upload) {
			s.fail(w, r, q, http.StatusForbidden, "The form's security token is missing or out of date. Go back, reload the page and try again.")
			return
		}
		h(w, r, q)
	}
}

// postAllowed is the one check of every state-changing staff request,
// whatever its encoding: the Origin, when the browser sends one, is this
// site, and the session's token comes in the X-CSRF-Token header or in the
// "csrf" field of a urlencoded form. Any other body (multipart, text/plain,
// JSON) carries no field this function reads, so it is refused, except a
// multipart body on an upload route, whose handler reads the token as the
// first part before any file.
func (s *Server) postAllowed(r *http.Request, q *req, upload bool) bool {
	if !sameOrigin(r) {
		return false
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if tok := r.Header.Get("X-CSRF-Token"); tok != "" {
		return s.sess.checkCSRF(q.Session.ID, tok)
	}
	switch mt {
	case "multipart/form-data":
		return upload
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			return false
		}
		return s.sess.checkCSRF(q.Session.ID, r.PostForm.Get("csrf"))
	}
	return false
}

// sameOrigin reports whether a staff request may come from where its
// Origin says. No Origin (an old browser, curl with its own cookie) leaves
// the decision to the token. "null" is refused: it is what a sandboxed
// frame, a data: page or a cross-site redirect sends, never a form of ours.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	if o == "null" {
		return false
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// current returns the request's valid session and its user.
func (s *Server) current(r *http.Request) (*req, bool) {
	c, err := r.Cookie(s.cookieName(r, sessionCookie))
	if err != nil {
		return nil, false
	}
	ss, ok := s.sess.decode(c.Value, s.cfg.Now())
	if !ok {
		return nil, false
	}
	u, ok := s.cfg.Users[ss.User]
	if !ok {
		return nil, false // user removed from the users file
	}
	if subtle.ConstantTimeCompare([]byte(ss.PW), []byte(s.sess.pwPrint(u))) != 1 {
		return nil, false // begun with a password since changed
	}
	now := s.cfg.Now()
	if s.cfg.Sessions != nil {
		// Signed is not enough: the session must still be on record
		// (another process may have ended it, or it sat idle). A store
		// that cannot answer refuses the session rather than guess.
		active, err := s.cfg.Sessions.SessionActive(r.Context(), ss.ID, now, s.cfg.IdleTimeout)
		if err != nil {
			s.log.Error("session lookup", "err", err)
		}
		if !active {
			return nil, false
		}
	} else if !s.sess.touch(ss.ID, ss.Expires, now, s.cfg.IdleTimeout) {
		return nil, false
	}
	return &req{User: u, Session: ss, CSRF: s.sess.csrfToken(ss.ID)}, true
}

func (s *Server) secure(r *http.Request) bool { return r.TLS != nil || s.cfg.SecureCookies }

// cookieName is the name of the session or login cookie: with the
// __Host- prefix whenever cookies are Secure (hostPrefix). Plain HTTP on
// loopback keeps the bare name, which browsers refuse to prefix.
func (s *Server) cookieName(r *http.Request, base string) string {
	if s.secure(r) {
		return hostPrefix + base
	}
	return base
}

// audit records a security event (login attempts, logouts) in the server
// log and, when the ledger can, in its audit table.
func (s *Server) audit(ctx context.Context, who, action, detail string) {
	s.log.Info("audit", "who", who, "action", action, "detail", detail)
	if a, ok := s.cfg.Ledger.(Auditor); ok {
		if err := a.AuditWeb(ctx, who, action, detail); err != nil {
			s.log.Error("audit", "err", err)
		}
	}
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, q *req) {
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}
