package validate

import (
	"encoding/json"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// Hand-written syntax checks for the hot path: no regexps, no allocation
// unless a value has to be rewritten.

// numResult describes a decimal cell.
type numResult struct {
	neg     bool // starts with '-'
	nonzero bool // the mantissa has a non-zero digit
	plus    bool // a '+' sign somewhere (leading or in the exponent): not FOCUS Numeric Format
}

// scanDecimal checks FOCUS Numeric Format: an integer, a decimal or
// E-notation, '-' for negatives, no '+' (that is reported in plus so the
// caller can normalise or reject it). It returns "" when the syntax is fine,
// otherwise a reason.
func scanDecimal(s string) (numResult, string) {
	var r numResult
	i, n := 0, len(s)
	if n == 0 {
		return r, "empty"
	}
	if s[0] == '-' {
		r.neg = true
		i++
	} else if s[0] == '+' {
		r.plus = true
		i++
	}
	start := i
	for i < n && s[i] >= '0' && s[i] <= '9' {
		if s[i] != '0' {
			r.nonzero = true
		}
		i++
	}
	if i == start {
		return r, numReason(s)
	}
	if i < n && s[i] == '.' {
		i++
		fs := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			if s[i] != '0' {
				r.nonzero = true
			}
			i++
		}
		if i == fs {
			return r, numReason(s)
		}
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < n && s[i] == '-' {
			i++
		} else if i < n && s[i] == '+' {
			r.plus = true
			i++
		}
		es := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == es {
			return r, numReason(s)
		}
	}
	if i != n {
		return r, numReason(s)
	}
	return r, ""
}

// numReason explains why s is not a number (error path only).
func numReason(s string) string {
	switch {
	case strings.ContainsRune(s, ','):
		return "is not a number (no thousands separators or decimal commas in FOCUS Numeric Format)"
	case strings.ContainsAny(s, "$€£¥"):
		return "is not a number (no currency symbols in FOCUS Numeric Format)"
	case strings.ContainsAny(s, " \t"):
		return "is not a number (no spaces or units in FOCUS Numeric Format)"
	}
	return "is not a number (FOCUS Numeric Format: digits, optional '.' and digits, optional E-notation, '-' for negatives)"
}

// stripPlus removes '+' signs (leading and in the exponent) from a number
// scanDecimal accepted.
func stripPlus(s string) string { return strings.ReplaceAll(s, "+", "") }

// DateTime forms recognised by parseDateTime.
type dtForm uint8

const (
	dtExact    dtForm = iota // YYYY-MM-DDTHH:MM:SSZ: the only FOCUS form
	dtDateOnly               // YYYY-MM-DD
	dtLoose                  // space separator, missing Z, +00:00, fractional seconds
)

// parseDateTime reads a FOCUS Date/Time, and the deviations real exports
// carry. It returns seconds since the Unix epoch (UTC) and the form, or a
// reason when s is not a date at all (or not UTC).
func parseDateTime(s string) (int64, dtForm, string) {
	n := len(s)
	if n < 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, "is not a date-time (FOCUS Date/Time Format: YYYY-MM-DDTHH:MM:SSZ, UTC)"
	}
	y, ok1 := digits(s, 0, 4)
	mo, ok2 := digits(s, 5, 2)
	d, ok3 := digits(s, 8, 2)
	if !ok1 || !ok2 || !ok3 {
		return 0, 0, "is not a date-time (FOCUS Date/Time Format: YYYY-MM-DDTHH:MM:SSZ, UTC)"
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return 0, 0, "is not a valid calendar date"
	}
	days := daysFromCivil(y, mo, d)
	if n == 10 {
		return days * 86400, dtDateOnly, ""
	}
	if n < 19 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':' {
		return 0, 0, "is not a date-time (FOCUS Date/Time Format: YYYY-MM-DDTHH:MM:SSZ, UTC)"
	}
	h, ok1 := digits(s, 11, 2)
	mi, ok2 := digits(s, 14, 2)
	se, ok3 := digits(s, 17, 2)
	if !ok1 || !ok2 || !ok3 {
		return 0, 0, "is not a date-time (FOCUS Date/Time Format: YYYY-MM-DDTHH:MM:SSZ, UTC)"
	}
	if h > 23 || mi > 59 || se > 59 {
		return 0, 0, "is not a valid time of day"
	}
	t := days*86400 + int64(h*3600+mi*60+se)
	form := dtExact
	if s[10] != 'T' {
		form = dtLoose
	}
	rest := s[19:]
	if len(rest) > 0 && rest[0] == '.' {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 1 {
			return 0, 0, "is not a date-time (fractional seconds without digits)"
		}
		rest = rest[j:]
		form = dtLoose
	}
	switch rest {
	case "Z":
	case "", "+00:00", "-00:00", "+0000", "UTC", " UTC":
		form = dtLoose
	default:
		if len(rest) > 0 && (rest[0] == '+' || rest[0] == '-') {
			return 0, 0, "is not in UTC (FOCUS Date/Time values must be UTC with a trailing Z)"
		}
		return 0, 0, "is not a date-time (FOCUS Date/Time Format: YYYY-MM-DDTHH:MM:SSZ, UTC)"
	}
	return t, form, ""
}

func digits(s string, at, n int) (int, bool) {
	v := 0
	for i := at; i < at+n; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is Howard Hinnant's days_from_civil: days since 1970-01-01.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (int, int, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}

// formatDateTime writes t (Unix seconds) as YYYY-MM-DDTHH:MM:SSZ.
func formatDateTime(t int64) string {
	days := t / 86400
	sec := t % 86400
	if sec < 0 {
		sec += 86400
		days--
	}
	y, m, d := civilFromDays(days)
	var b [20]byte
	put := func(at, v, n int) {
		for i := at + n - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	b[4] = '-'
	put(5, m, 2)
	b[7] = '-'
	put(8, d, 2)
	b[10] = 'T'
	put(11, int(sec/3600), 2)
	b[13] = ':'
	put(14, int(sec/60%60), 2)
	b[16] = ':'
	put(17, int(sec%60), 2)
	b[19] = 'Z'
	return string(b[:])
}

// monthStart returns the first instant of t's month and of the next month.
func monthBounds(t int64) (int64, int64) {
	y, m, _ := civilFromDays(t / 86400)
	start := daysFromCivil(y, m, 1) * 86400
	if m == 12 {
		return start, daysFromCivil(y+1, 1, 1) * 86400
	}
	return start, daysFromCivil(y, m+1, 1) * 86400
}

// scanKV checks FOCUS Key-Value Format: a JSON object (ECMA-404) with
// unique keys whose values are strings, numbers, booleans or null — no
// nested objects or arrays. It also sets vals[k] to the value of key
// want[k] as focus.ParseTags gives it: a string unescaped, a number or a
// boolean as written, null or an absent key "". Keys are compared as JSON
// reads them, so "a" and "\u0061" are the same key, twice. It allocates
// only when a wanted value or a key has escapes, or when an object has
// more than 64 keys.
func scanKV(s string, want, vals []string) string {
	var keys kvKeys
	return keys.scan(s, want, vals)
}

// kvKeys is scanKV's record of the keys of an object so far: quoted as
// written, and unquoted (unescaped when the key has escapes). A Checker
// keeps one (its Tags cell is scanned every row): the 2 kB of string
// headers cleared a call were a fifth of scanKV's time.
type kvKeys struct {
	spans, names [64]string
}

// scan is scanKV, with k's arrays for the keys (only the first keys of
// an object, as many as it has, are read: what earlier calls left beyond
// them does not matter).
func (kv *kvKeys) scan(s string, want, vals []string) string {
	for k := range vals {
		vals[k] = ""
	}
	// JSON text is UTF-8 (RFC 8259): invalid bytes made a Tags cell that
	// focus-validate passed and focus.ParseTags (focus-load, focus-flag)
	// refused.
	if !utf8.ValidString(s) {
		return "is not valid JSON (invalid UTF-8)"
	}
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return "is not a JSON object"
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		if j := skipWS(s, i+1); j != len(s) {
			return "has data after the JSON object"
		}
		return ""
	}
	// The keys so far: quoted as written, and unquoted (unescaped when the
	// key has escapes). Beyond 64 keys, a set of the unquoted ones.
	spans, names := &kv.spans, &kv.names
	nkeys := 0
	var seen map[string]bool
	for {
		if i >= len(s) || s[i] != '"' {
			return "is not valid JSON (expected a quoted key)"
		}
		end, esc, why := stringEnd(s, i)
		if why != "" {
			return why
		}
		key := s[i:end]
		name := key[1 : len(key)-1]
		if esc {
			var u string // a variable of its own: &name would put name on the heap
			if json.Unmarshal([]byte(key), &u) != nil {
				return "is not valid JSON (bad key " + key + ")"
			}
			name = u
		}
		if nkeys < len(spans) {
			for k := 0; k < nkeys; k++ {
				if names[k] == name {
					if spans[k] == key {
						return "has the key " + key + " twice"
					}
					return "has the key " + key + " twice (also as " + spans[k] + ")"
				}
			}
			spans[nkeys], names[nkeys] = key, name
		} else {
			if seen == nil {
				seen = make(map[string]bool, 2*len(names))
				for _, n := range names {
					seen[n] = true
				}
			}
			if seen[name] {
				return "has the key " + key + " twice"
			}
			seen[name] = true
		}
		nkeys++
		// first is the first k with want[k] == name, -1 if none; set
		// gives the value to it and to every later one.
		first := -1
		for k, w := range want {
			if sameKey(w, name) {
				first = k
				break
			}
		}
		match := first >= 0
		set := func(v string) {
			vals[first] = v
			for k := first + 1; k < len(want); k++ {
				if sameKey(want[k], name) {
					vals[k] = v
				}
			}
		}
		i = skipWS(s, end)
		if i >= len(s) || s[i] != ':' {
			return "is not valid JSON (expected ':' after a key)"
		}
		i = skipWS(s, i+1)
		if i >= len(s) {
			return "is not valid JSON (missing value)"
		}
		vstart := i
		switch c := s[i]; {
		case c == '"':
			vend, vesc, why := stringEnd(s, i)
			if why != "" {
				return why
			}
			if match {
				if vesc {
					var v string
					if json.Unmarshal([]byte(s[vstart:vend]), &v) != nil {
						return "is not valid JSON (bad string value for " + key + ")"
					}
					set(v)
				} else {
					set(s[vstart+1 : vend-1])
				}
			}
			i = vend
		case c == '{' || c == '[':
			return "has a nested object or array as the value of " + key + " (FOCUS Key-Value Format allows only strings, numbers, booleans and null)"
		case c == 't' && strings.HasPrefix(s[i:], "true"), c == 'f' && strings.HasPrefix(s[i:], "false"):
			i += 4
			if c == 'f' {
				i++
			}
			if match {
				set(s[vstart:i])
			}
		case c == 'n' && strings.HasPrefix(s[i:], "null"):
			i += 4
		default:
			e := jsonNumberEnd(s, i)
			if e == i {
				return "is not valid JSON (bad value for " + key + ")"
			}
			i = e
			if match {
				set(s[vstart:i])
			}
		}
		i = skipWS(s, i)
		if i >= len(s) {
			return "is not valid JSON (unterminated object)"
		}
		if s[i] == ',' {
			i = skipWS(s, i+1)
			continue
		}
		if s[i] != '}' {
			return "is not valid JSON (expected ',' or '}')"
		}
		if skipWS(s, i+1) != len(s) {
			return "has data after the JSON object"
		}
		return ""
	}
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// sameKey reports whether w, a wanted key ("" = none), is name: the
// length and first byte first, which tell most keys apart without a call
// of the runtime's comparison.
func sameKey(w, name string) bool {
	return len(w) == len(name) && w != "" && w[0] == name[0] && w == name
}

// stringEnd returns the index after the closing quote of the JSON string at
// s[i], and whether it has escapes.
func stringEnd(s string, i int) (int, bool, string) {
	esc := false
	for j := i + 1; j < len(s); j++ {
		// Eight bytes at a time past the plain ones (no quote, backslash
		// or control character): a byte at a time was a third of the
		// Tags check.
		for j+8 <= len(s) {
			t := s[j : j+8]
			x := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
				uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
			if m := special8(x); m != 0 {
				j += bits.TrailingZeros64(m) >> 3 // the first special byte
				break
			}
			j += 8
		}
		if j >= len(s) {
			break
		}
		c := s[j]
		switch {
		case c == '"':
			return j + 1, esc, ""
		case c == '\\':
			esc = true
			j++
			if j >= len(s) {
				return 0, false, "is not valid JSON (unterminated string)"
			}
			switch s[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(s) || !isHex(s[j+1]) || !isHex(s[j+2]) || !isHex(s[j+3]) || !isHex(s[j+4]) {
					return 0, false, "is not valid JSON (bad \\u escape)"
				}
				j += 4
			default:
				return 0, false, "is not valid JSON (bad escape)"
			}
		case c < 0x20:
			return 0, false, "is not valid JSON (control character in a string)"
		}
	}
	return 0, false, "is not valid JSON (unterminated string)"
}

// special8 marks the bytes of x (eight bytes of input, little-endian)
// that are '"', '\\' or below 0x20: non-zero when there is one, and its
// lowest set bit is the high bit of the first (Anderson's bit hacks, "a
// word has a zero byte" and "a byte less than n": a byte above the first
// such byte may be marked too, never one below it).
func special8(x uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	q, b := x^(ones*'"'), x^(ones*'\\')
	return ((x-ones*0x20)&^x | (q-ones)&^q | (b-ones)&^b) & high
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// jsonNumberEnd returns the end of the JSON number at s[i], or i if none.
func jsonNumberEnd(s string, i int) int {
	j := i
	if j < len(s) && s[j] == '-' {
		j++
	}
	if j >= len(s) {
		return i
	}
	if s[j] == '0' {
		j++
	} else if s[j] >= '1' && s[j] <= '9' {
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	} else {
		return i
	}
	if j < len(s) && s[j] == '.' {
		j++
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			return i
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			return i
		}
	}
	return j
}
