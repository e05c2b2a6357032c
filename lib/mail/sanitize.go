package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"strings"
	"unicode/utf8"
)

// Header lines must stay under SMTP's 998-byte limit. go-mail folds long
// values at spaces, so what matters is the longest run without a space
// ("To: \"NAME\"" with a 900-byte name is still a legal line); the total is
// bounded too, as a sanity check. No real name, id or subject comes near.
const (
	maxHeaderWord  = 900
	maxHeaderValue = 2000
)

// checkHeaderValue refuses a value that would reach a mail header with a
// control character in it. CR and LF are the header-injection vector
// ("Ada\r\nBcc: x"); the other C0 controls, DEL and the Unicode line and
// paragraph separators are refused too because no honest name, subject or
// address contains them and some mail clients treat them as line breaks.
func checkHeaderValue(what, v string) error {
	if len(v) > maxHeaderValue {
		return fmt.Errorf("%s is %d bytes long, more than the %d a mail header value may take here", what, len(v), maxHeaderValue)
	}
	for _, w := range strings.Fields(v) {
		if len(w) > maxHeaderWord {
			return fmt.Errorf("%s has a %d-byte run without spaces, too long for a mail header line (at most %d)", what, len(w), maxHeaderWord)
		}
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s is not valid UTF-8", what)
	}
	for i, r := range v {
		if r == '\t' {
			continue // folding whitespace is harmless and appears in pasted names
		}
		if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return fmt.Errorf("%s contains a control character (%U at byte %d): refused to build a message from it", what, r, i)
		}
	}
	return nil
}

// parseMailbox parses one address as a recipient or sender. allowName lets
// --from carry a display name ("Billing <billing@uni.edu>"); a PI's address
// from the statement must be a bare addr-spec, so a tag value cannot smuggle
// a second recipient or a display name in.
func parseMailbox(what, v string, allowName bool) (*netmail.Address, error) {
	if err := checkHeaderValue(what, v); err != nil {
		return nil, err
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, fmt.Errorf("%s is empty", what)
	}
	a, err := netmail.ParseAddress(v)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a valid e-mail address: %w", what, v, err)
	}
	if !allowName && (a.Name != "" || a.Address != v) {
		return nil, fmt.Errorf("%s %q is not a bare e-mail address (user@host)", what, v)
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(a.Address, " \t<>,;") {
		return nil, fmt.Errorf("%s %q is not a valid e-mail address", what, v)
	}
	return a, nil
}

// SafeFileName turns a statement id into a file name (no extension) that
// cannot escape its directory: only ASCII letters, digits, '.', '_' and '-'
// survive, it never starts with a dot, and it is at most 100 bytes. When the
// id had to be changed, a short hash of the original id is appended so two
// ids that sanitise alike still get different, stable names.
func SafeFileName(id string) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		case r == '.':
			if b.Len() == 0 {
				b.WriteByte('_') // no hidden files, no "." or ".."
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	if len(name) > 100 {
		name = name[:100]
	}
	if name == id && name != "" {
		return name
	}
	sum := sha256.Sum256([]byte(id))
	if name == "" {
		name = "statement"
	}
	return name + "-" + hex.EncodeToString(sum[:4])
}
