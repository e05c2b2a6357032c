package cliutil

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Printable makes s safe to show on a terminal: every control character
// but tab and newline (C0, DEL, C1 — ESC and the 8-bit CSI among them),
// the bidirectional overrides that reorder what is shown, and bytes that
// are not UTF-8 are written as visible escapes (\x1b, \u009b, \u202e,
// \xff). Text from the ledger — a user name typed at the sign-in form,
// an imported tag value — must never move the cursor, retitle the window
// or rewrite what an admin reads.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
		return true
	case r == utf8.RuneError:
		return true // also invalid bytes, told apart by the caller
	}
	return false
}
