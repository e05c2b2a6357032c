package flag

import (
	"unicode/utf8"

	"github.com/openchargeback/ocb/lib/focus"
)

// lookupTags finds keys in a Tags cell (a flat JSON object) and stores their
// values in vals (absent keys get ""). It reports false when the cell is not
// a valid Tags object. A hand-written scanner handles the common case
// (no escapes, no nesting) without allocating, because encoding/json costs
// more per row than the whole rest of focus-flag; anything unusual falls
// back to focus.ParseTags, which is the reference.
func lookupTags(cell string, keys []string, vals []string) bool {
	for i := range vals {
		vals[i] = ""
	}
	if cell == "" {
		return true
	}
	switch fastTags(cell, keys, vals) {
	case fastOK:
		return true
	case fastBad:
		for i := range vals {
			vals[i] = ""
		}
		return false
	}
	tags, err := focus.ParseTags(cell)
	if err != nil {
		for i := range vals { // a broken Tags cell carries no tag
			vals[i] = ""
		}
		return false
	}
	for i, k := range keys {
		vals[i] = tags[k]
	}
	return true
}

const (
	fastOK = iota
	fastBad
	fastFallback
)

func fastTags(s string, keys []string, vals []string) int {
	// Invalid UTF-8 anywhere (a key or a value nobody asked for included)
	// is ParseTags' to judge: it refuses it. One pass over the cell, with
	// an ASCII fast path, instead of one check per string.
	if !utf8.ValidString(s) {
		return fastFallback
	}
	var found uint64 // bit i: keys[i] seen (a repeated key is an error: fall back)
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return fastBad
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		if skipWS(s, i+1) != len(s) {
			return fastFallback
		}
		return fastOK
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return fastFallback
		}
		kEnd, ok := scanString(s, i+1)
		if !ok {
			return fastFallback
		}
		key := s[i+1 : kEnd]
		i = skipWS(s, kEnd+1)
		if i >= len(s) || s[i] != ':' {
			return fastFallback
		}
		i = skipWS(s, i+1)
		if i >= len(s) {
			return fastFallback
		}
		var val string
		switch c := s[i]; {
		case c == '"':
			vEnd, ok := scanString(s, i+1)
			if !ok {
				return fastFallback
			}
			val = s[i+1 : vEnd]
			i = vEnd + 1
		case c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n':
			j := i
			for j < len(s) && s[j] != ',' && s[j] != '}' && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' {
				j++
			}
			val = s[i:j]
			switch val {
			case "true", "false":
			case "null":
				val = ""
			default:
				if !isJSONNumber(val) {
					return fastFallback
				}
			}
			i = j
		default:
			return fastFallback // nested object/array or junk: let ParseTags decide
		}
		for k, name := range keys {
			if name == key {
				if found&(1<<uint(k)) != 0 {
					return fastFallback // a repeated key is an error: ParseTags says so
				}
				found |= 1 << uint(k)
				vals[k] = val
			}
		}
		i = skipWS(s, i)
		if i >= len(s) {
			return fastFallback
		}
		if s[i] == '}' {
			if skipWS(s, i+1) != len(s) {
				return fastFallback
			}
			return fastOK
		}
		if s[i] != ',' {
			return fastFallback
		}
		i = skipWS(s, i+1)
	}
}

// scanString returns the index of the closing quote of a JSON string that
// starts at i, or false when it has escapes or control characters (the
// fallback decodes those).
func scanString(s string, i int) (int, bool) {
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i, true
		case c == '\\' || c < 0x20:
			return 0, false
		}
	}
	return 0, false
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// isJSONNumber checks the JSON number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
