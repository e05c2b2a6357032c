// Package pilink makes and checks the links in draft statement e-mails
// that take a PI, without an account, to serve's page for one statement
// (focus-mail --draft signs them, focus-statement serve checks them).
//
// A token is base64url(JSON claims) "." base64url(HMAC-SHA256(key,
// "ocb-pi-link\x00" + the first part)). The claims name one statement:
// period, statement id (per PI or per project: the ids differ), the PI's
// e-mail, and an expiry. The MAC makes a token unguessable and
// tamper-evident; serve also refuses a token once its period is finalized.
// The key is a file shared by focus-mail and serve (KeyFileFor: beside the
// ledger, mode 0600), separate from the session key so that ending every
// web session does not kill the PIs' links, and the other way round.
package pilink

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openchargeback/ocb/lib/keyfile"
)

// Claims are what a link grants: reading one statement and disputing its
// lines until Expires.
type Claims struct {
	Period      string    `json:"p"`
	StatementID string    `json:"s"`
	Email       string    `json:"e"`
	FinalOn     string    `json:"f,omitempty"` // YYYY-MM-DD the draft mail announced, shown on the page
	Expires     time.Time `json:"-"`
	Exp         int64     `json:"x"`
}

// ErrInvalid is every reason a token is refused (forged, tampered,
// malformed, expired): callers show one answer for all of them.
var ErrInvalid = errors.New("pilink: invalid or expired link")

// MaxTokenLen bounds what Verify looks at.
const MaxTokenLen = 1024

func mac(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("ocb-pi-link\x00"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// Sign makes the token for c.
func Sign(key []byte, c Claims) (string, error) {
	if len(key) < 16 {
		return "", errors.New("pilink: key shorter than 16 bytes")
	}
	if c.Period == "" || c.StatementID == "" || c.Email == "" || c.Expires.IsZero() {
		return "", errors.New("pilink: claims need period, statement id, e-mail and expiry")
	}
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	c.Exp = c.Expires.Unix()
	b, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	p := base64.RawURLEncoding.EncodeToString(b)
	return p + "." + base64.RawURLEncoding.EncodeToString(mac(key, p)), nil
}

// Verify checks tok's MAC and expiry and returns its claims. Every failure
// is ErrInvalid.
func Verify(key []byte, tok string, now time.Time) (Claims, error) {
	if len(key) < 16 || len(tok) > MaxTokenLen {
		return Claims{}, ErrInvalid
	}
	p, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return Claims{}, ErrInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || subtle.ConstantTimeCompare(got, mac(key, p)) != 1 {
		return Claims{}, ErrInvalid
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return Claims{}, ErrInvalid
	}
	var c Claims
	if err := json.Unmarshal(b, &c); err != nil || c.Period == "" || c.StatementID == "" || c.Email == "" {
		return Claims{}, ErrInvalid
	}
	c.Expires = time.Unix(c.Exp, 0).UTC()
	if !now.Before(c.Expires) {
		return Claims{}, ErrInvalid
	}
	return c, nil
}

// URL is the PI page of a token under base (the address where PIs reach
// serve, e.g. https://billing.example.edu).
func URL(base, tok string) string {
	return strings.TrimRight(base, "/") + "/pi/" + tok
}

// KeyFileFor is the default link key file of a ledger file.
func KeyFileFor(db string) string { return db + ".link-key" }

// LoadOrCreateKey reads the link key (hex) from path, creating it with mode
// 0600 and 32 random bytes when it does not exist. A key file readable by
// group or others is refused: whoever holds it can make links.
func LoadOrCreateKey(path string) ([]byte, error) {
	return keyfile.LoadOrCreate(path, "link key", 32)
}

// EndOfDay is the first instant after date (YYYY-MM-DD, UTC): a link that
// "expires on 2025-02-20" works through that whole day.
func EndOfDay(date string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: want YYYY-MM-DD", date)
	}
	return t.AddDate(0, 0, 1), nil
}
