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
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
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
	Key           []byte          // session key (LoadOrCreateKey)
	Sessions      SessionStore    // shared sessions (the ledger); nil = cookies alone
	MaxUpload     int64           // bytes per import request; 0 = DefaultMaxUpload
	SecureCookies bool            // mark cookies Secure even on plain HTTP (behind a TLS proxy)
	TempDir       string          // for uploads; "" = os.TempDir()
	Import        ImportFunc      // validate → flag → load; nil = import unavailable
	Institution   pdf.Institution // issuer printed on statement PDFs
	LinkKey       []byte          // PI link key (lib/pilink); nil = PI pages off (pi.go)
	Notify        NotifyFunc      // e-mails a PI a dispute's resolution; nil = not offered (pi.go)
	Log           *slog.Logger
	Now           func() time.Time // for tests; nil = time.Now
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
	if r.TLS != nil {
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
	m := s.mux
	static, _ := fs.Sub(staticFS, "static")
	fileServer := http.StripPrefix("/static/", http.FileServerFS(static))
	m.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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

// auth wraps a handler: no session → the login page; role too low → 403;
// on POST, a missing or wrong CSRF token → 403.
func (s *Server) auth(min Role, h handler) http.HandlerFunc {
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
		if r.Method == http.MethodPost && !s.postAllowed(r, q) {
			s.fail(w, r, q, http.StatusForbidden, "The form's security token is missing or out of date. Go back, reload the page and try again.")
			return
		}
		h(w, r, q)
	}
}

// postAllowed checks the CSRF token (form field "csrf" or header
// X-CSRF-Token) and, when the browser sends one, the Origin.
// Multipart uploads check their token themselves while streaming.
func (s *Server) postAllowed(r *http.Request, q *req) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return true // checked by the upload handler before any file is read
	}
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
		tok = r.PostFormValue("csrf")
	}
	return s.sess.checkCSRF(q.Session.ID, tok)
}

// current returns the request's valid session and its user.
func (s *Server) current(r *http.Request) (*req, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	ss, ok := s.sess.decode(c.Value, s.cfg.Now())
	if !ok {
		return nil, false
	}
	if s.cfg.Sessions != nil {
		// Signed is not enough: the session must still be on record
		// (another process may have ended it). A store that cannot answer
		// refuses the session rather than guess.
		active, err := s.cfg.Sessions.SessionActive(r.Context(), ss.ID, s.cfg.Now())
		if err != nil {
			s.log.Error("session lookup", "err", err)
		}
		if !active {
			return nil, false
		}
	}
	u, ok := s.cfg.Users[ss.User]
	if !ok {
		return nil, false // user removed from the users file
	}
	return &req{User: u, Session: ss, CSRF: s.sess.csrfToken(ss.ID)}, true
}

func (s *Server) secure(r *http.Request) bool { return r.TLS != nil || s.cfg.SecureCookies }

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
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
