package focus

import "unicode/utf8"

// LookupTags sets vals[i] to the value of keys[i] in a Tags cell, as
// ParseTags reads it ("" when absent; an empty key is never looked up),
// and returns ParseTags' error for a cell that is not valid Tags (vals
// then all ""). The common shape (a flat object without escapes) is
// scanned without allocating, because encoding/json, or a map a row, cost
// more than the rest of focus-flag and a sixth of focus-load's import;
// anything unusual goes through ParseTags, the reference. The one
// leniency: a key repeated among keys nobody asked for is not noticed
// (focus-validate reports it).
func LookupTags(cell string, keys []string, vals []string) error {
	for i := range vals {
		vals[i] = ""
	}
	if cell == "" {
		return nil
	}
	if lookupFast(cell, keys, vals) {
		return nil
	}
	tags, err := ParseTags(cell)
	if err != nil {
		for i := range vals { // a broken Tags cell carries no tag
			vals[i] = ""
		}
		return err
	}
	for i, k := range keys {
		if k != "" {
			vals[i] = tags[k]
		}
	}
	return nil
}

// lookupFast is LookupTags for the common shape: true when it read the
// cell (valid, vals set), false when ParseTags must decide.
func lookupFast(s string, keys []string, vals []string) bool {
	// Invalid UTF-8 anywhere (a key or a value nobody asked for included)
	// is ParseTags' to judge: it refuses it. One pass over the cell, with
	// an ASCII fast path, instead of one check per string.
	if !utf8.ValidString(s) {
		return false
	}
	var found uint64 // bit i: keys[i] seen (a repeated key is an error: fall back)
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return skipWS(s, i+1) == len(s)
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return false
		}
		kEnd, ok := scanString(s, i+1)
		if !ok {
			return false
		}
		key := s[i+1 : kEnd]
		i = skipWS(s, kEnd+1)
		if i >= len(s) || s[i] != ':' {
			return false
		}
		i = skipWS(s, i+1)
		if i >= len(s) {
			return false
		}
		var val string
		switch c := s[i]; {
		case c == '"':
			vEnd, ok := scanString(s, i+1)
			if !ok {
				return false
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
					return false
				}
			}
			i = j
		default:
			return false // nested object/array or junk: let ParseTags decide
		}
		for k, name := range keys {
			if name != "" && name == key {
				if found&(1<<uint(k)) != 0 {
					return false // a repeated key is an error: ParseTags says so
				}
				found |= 1 << uint(k)
				vals[k] = val
			}
		}
		i = skipWS(s, i)
		if i >= len(s) {
			return false
		}
		if s[i] == '}' {
			return skipWS(s, i+1) == len(s)
		}
		if s[i] != ',' {
			return false
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
