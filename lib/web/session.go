package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openchargeback/ocb/lib/keyfile"
)

// The session key is generated once per install and kept in a file beside
// the ledger (LEDGER.session-key, mode 0600). A file rather than a ledger
// table: the key must not travel with copies of the ledger handed to
// auditors, and finalized-period triggers must never stand between an admin
// and rotating it (delete the file and restart: every session ends).

const (
	sessionCookie = "ocb_session"
	loginCookie   = "ocb_login" // pre-session CSRF token for the login form
	loginTTL      = 10 * time.Minute
	// hostPrefix is put before both cookies' names whenever they are
	// Secure: a browser accepts a __Host- cookie only from this very host,
	// Secure, Path=/ and without Domain, so a sibling subdomain
	// (people.uni.edu against billing.uni.edu) cannot toss in a cookie of
	// its own (login CSRF, session fixation).
	hostPrefix = "__Host-"
	sessionTTL = 12 * time.Hour
	// DefaultIdleTimeout ends a session after this long without a request
	// (--idle-timeout), besides the absolute sessionTTL.
	DefaultIdleTimeout = 30 * time.Minute
	keyBytes           = 32
)

// KeyFileFor returns the session key file used for a ledger file.
func KeyFileFor(db string) string { return db + ".session-key" }

// LoadOrCreateKey reads the session key from path, creating it with 0600
// and fresh random bytes when it does not exist. A key file readable by group
// or others is refused: anyone holding it can forge sessions.
func LoadOrCreateKey(path string) ([]byte, error) {
	return keyfile.LoadOrCreate(path, "session key", keyBytes)
}

// SessionStore keeps sessions where every serve process of a ledger sees
// them (the ledger database, lib/ledger/sessions.go): a logout on one
// process ends the session on all, and a restart forgets none. Without
// one (Config.Sessions nil) sessions are the signed cookies alone, and a
// logout is remembered by this process only.
type SessionStore interface {
	AddSession(ctx context.Context, id, user string, now, expires time.Time) error
	// SessionActive also ends a session idle for idle or longer (0 = no
	// idle limit) and records now as its last request.
	SessionActive(ctx context.Context, id string, now time.Time, idle time.Duration) (bool, error)
	RevokeSession(ctx context.Context, id string, now time.Time) error
}

// session is what the signed cookie carries. The role is not in it: it is
// looked up in the users file on every request, so removing a user or
// lowering a role takes effect on the next restart without waiting for
// cookies to expire. PW is the user's password fingerprint when the
// session began (pwPrint): a session whose fingerprint no longer matches
// the users file was begun with a password since changed, and is refused,
// on this server and every other, after any restart.
type session struct {
	ID      string // random; the CSRF token is derived from it
	User    string
	Expires time.Time
	PW      string
}

type sessions struct {
	key []byte
	mu  sync.Mutex
	// revoked holds logged-out session ids until they would have expired:
	// cookies are stateless, so logout must remember what it ended.
	revoked map[string]time.Time
	// seen is each session's last request, for the idle timeout when no
	// SessionStore keeps it (cookies alone; this process only).
	seen map[string]time.Time
}

func newSessions(key []byte) *sessions {
	return &sessions{key: key, revoked: map[string]time.Time{}, seen: map[string]time.Time{}}
}

// pwPrint fingerprints a user's bcrypt hash with the session key: it
// changes whenever the hash does, and tells nothing about the password to
// whoever reads a cookie.
func (s *sessions) pwPrint(u User) string { return s.mac("pw", u.Name, string(u.Hash))[:22] }

// touch reports whether a session not seen for idle or longer is still
// alive (no: it is forgotten) and records now as its last request. A
// session this process has not seen yet (begun before a restart, or on
// another server) starts its idle clock now.
func (s *sessions) touch(id string, expires, now time.Time, idle time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if last, ok := s.seen[id]; ok && idle > 0 && now.Sub(last) >= idle {
		delete(s.seen, id)
		s.revoked[id] = expires
		return false
	}
	if len(s.seen) > 10000 { // forget sessions idle past any timeout: the map stays bounded
		for k, t := range s.seen {
			if now.Sub(t) >= sessionTTL {
				delete(s.seen, k)
			}
		}
	}
	s.seen[id] = now
	return true
}

func (s *sessions) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func randomID() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // no safe way to continue without randomness
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// encode signs a session as id.user.expiry.pw.mac (user base64url so it
// may hold dots).
func (s *sessions) encode(ss session) string {
	u := base64.RawURLEncoding.EncodeToString([]byte(ss.User))
	exp := strconv.FormatInt(ss.Expires.Unix(), 10)
	return ss.ID + "." + u + "." + exp + "." + ss.PW + "." + s.mac("session", ss.ID, u, exp, ss.PW)
}

func (s *sessions) decode(v string, now time.Time) (session, bool) {
	p := strings.Split(v, ".")
	if len(p) != 5 {
		return session{}, false
	}
	if subtle.ConstantTimeCompare([]byte(p[4]), []byte(s.mac("session", p[0], p[1], p[2], p[3]))) != 1 {
		return session{}, false
	}
	u, err := base64.RawURLEncoding.DecodeString(p[1])
	if err != nil {
		return session{}, false
	}
	exp, err := strconv.ParseInt(p[2], 10, 64)
	if err != nil || now.Unix() >= exp {
		return session{}, false
	}
	s.mu.Lock()
	_, gone := s.revoked[p[0]]
	s.mu.Unlock()
	if gone {
		return session{}, false
	}
	return session{ID: p[0], User: string(u), Expires: time.Unix(exp, 0), PW: p[3]}, true
}

func (s *sessions) revoke(ss session, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, exp := range s.revoked {
		if now.After(exp) {
			delete(s.revoked, id)
		}
	}
	s.revoked[ss.ID] = ss.Expires
}

// csrfToken is the per-session token every form carries.
func (s *sessions) csrfToken(sessionID string) string { return s.mac("csrf", sessionID) }

func (s *sessions) checkCSRF(sessionID, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.csrfToken(sessionID))) == 1
}

func cookie(name, value string, secure bool, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode,
	}
}
