package journal

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// number matches a plain decimal number, which a spreadsheet reads as a
// number, never as a formula: "-12.50" stays as it is.
var number = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// SafeCell defuses spreadsheet formula injection: a cell starting with
// '=', '+', '-', '@', tab or CR is prefixed with a single quote, so Excel,
// LibreOffice and Google Sheets show it as text (OWASP "CSV injection").
// Plain numbers are left alone so amounts stay numbers.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if number.MatchString(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// CSVField quotes one CSV field per RFC 4180 after defusing formulas:
// quoted when it holds a comma, quote, CR or LF, or leading/trailing space.
func CSVField(s string) string {
	s = SafeCell(s)
	if s == "" {
		return s
	}
	if strings.ContainsAny(s, ",\"\r\n") || s[0] == ' ' || s[len(s)-1] == ' ' {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// Truncate cuts s to at most n characters (runes), never inside a UTF-8
// sequence; the ERP limits (Banner 35, PeopleSoft 30) count characters.
// Trailing space left by the cut is dropped.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return strings.TrimRightFunc(s[:i], unicode.IsSpace)
}

// CleanText makes free text fit on one journal line: control characters
// (CR, LF, tab, NUL) become spaces, runs of space collapse, invalid UTF-8
// is replaced, and surrounding space is trimmed.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
