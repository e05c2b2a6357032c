package ledger

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// The import reads the Tags cell of every row for a handful of keys. The
// common shape is scanned by hand because encoding/json's token decoder was
// a sixth of the import's CPU time; anything unusual falls back to
// focus.ParseTags, so behaviour (including error messages) is lib/focus's.

// decodeRecord reads a record of an import stored as "json" (frames.go):
// a JSON array of strings.
func decodeRecord(rec string) ([]string, error) {
	var vals []string
	if err := json.Unmarshal([]byte(rec), &vals); err != nil {
		return nil, fmt.Errorf("stored record is not a JSON array of strings: %w", err)
	}
	return vals, nil
}

// tagValues sets out[i] to the Tags cell's value of keys[i] ("" when absent;
// an empty key is never looked up). The fast path takes the common shape
// {"k":"v",...} with plain string keys and values; anything else (escapes,
// numbers, nesting, bad JSON) goes through focus.ParseTags.
func tagValues(cell string, keys []string, out []string) error {
	for i := range out {
		out[i] = ""
	}
	if cell == "" {
		return nil
	}
	if fastTags(cell, keys, out) {
		return nil
	}
	tags, err := focus.ParseTags(cell)
	if err != nil {
		return err
	}
	for i, k := range keys {
		if k != "" {
			out[i] = tags[k]
		}
	}
	return nil
}

// fastTags is tagValues for the simple shape; false = not that shape.
func fastTags(s string, keys []string, out []string) bool {
	var seen [16]string
	nseen := 0
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return skipSpace(s, i+1) == len(s)
	}
	for {
		k, j, ok := plainString(s, i)
		if !ok {
			return false
		}
		// Duplicate keys are an error in ParseTags: let it say so.
		if nseen == len(seen) {
			return false
		}
		for _, p := range seen[:nseen] {
			if p == k {
				return false
			}
		}
		seen[nseen] = k
		nseen++
		j = skipSpace(s, j)
		if j >= len(s) || s[j] != ':' {
			return false
		}
		v, j2, ok := plainString(s, skipSpace(s, j+1))
		if !ok {
			return false
		}
		for n, want := range keys {
			if want != "" && want == k {
				out[n] = v
			}
		}
		j2 = skipSpace(s, j2)
		if j2 >= len(s) {
			return false
		}
		switch s[j2] {
		case ',':
			i = skipSpace(s, j2+1)
		case '}':
			return skipSpace(s, j2+1) == len(s)
		default:
			return false
		}
	}
}

// plainString reads a JSON string without escapes or control characters
// starting at s[i] == '"'; it returns the contents and the index after it.
func plainString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			v := s[i+1 : j]
			if !utf8.ValidString(v) {
				return "", j, false
			}
			return v, j + 1, true
		case c == '\\' || c < 0x20:
			return "", j, false
		}
	}
	return "", len(s), false
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// roleKeys returns the site's tag key for each of tagRoles ("" = not used).
func roleKeys(k tagkeys.Keys) []string {
	return []string{k.PIEmail, k.PIName, k.ProjectID, k.FundOrg, k.CostCenter, k.AccountCode, k.EndDate, k.ReconciliationEnd, k.Ref1, k.Ref2}
}
