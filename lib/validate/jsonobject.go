package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// JSON Object Format columns (FOCUS 1.3+: AllocatedMethodDetails,
// ContractApplied, CommitmentProgramEligibilityDetails) hold a JSON object
// whose shape the spec gives as a JSON schema (lib/focus specsrc, compiled
// into the generated table). The default mode checks the top level without
// allocating: valid JSON, an object, unique top-level keys, each required
// top-level key present with a value of the schema's type. --strict checks
// the whole schema (objectSchema.validate).

// objectShape is the top level of a column's schema, for the default mode.
type objectShape struct {
	required []string
	types    map[string]string // required key → JSON type ("array", "object", …)
	schema   *objectSchema     // the whole schema (--strict)
}

var (
	shapeMu    sync.Mutex
	shapeCache = map[string]*objectShape{}
)

// shapeFor compiles a column's schema (once per schema text).
func shapeFor(schemaJSON string) (*objectShape, error) {
	shapeMu.Lock()
	defer shapeMu.Unlock()
	if sh, ok := shapeCache[schemaJSON]; ok {
		return sh, nil
	}
	sc, err := compileSchema([]byte(schemaJSON))
	if err != nil {
		return nil, err
	}
	sh := &objectShape{required: sc.required, types: map[string]string{}, schema: sc}
	for _, k := range sc.required {
		if p := sc.props[k]; p != nil && len(p.types) == 1 {
			sh.types[k] = p.types[0]
		}
	}
	shapeCache[schemaJSON] = sh
	return sh, nil
}

// scanObjectShape checks s against the top level of sh. It returns "" when
// the shape is right.
func scanObjectShape(s string, sh *objectShape) string {
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return "is not a JSON object (FOCUS JSON Object Format)"
	}
	i = skipWS(s, i+1)
	var seen [8]bool // required keys found (schemas have 1–2)
	var spans [32][2]int32
	nkeys := 0
	if i < len(s) && s[i] == '}' {
		i++
	} else {
		for {
			if i >= len(s) || s[i] != '"' {
				return "is not valid JSON (expected a quoted key)"
			}
			end, _, why := stringEnd(s, i)
			if why != "" {
				return why
			}
			key := s[i:end]
			if nkeys < len(spans) {
				for k := 0; k < nkeys; k++ {
					if s[spans[k][0]:spans[k][1]] == key {
						return "has the key " + key + " twice"
					}
				}
				spans[nkeys] = [2]int32{int32(i), int32(end)}
			}
			nkeys++
			i = skipWS(s, end)
			if i >= len(s) || s[i] != ':' {
				return "is not valid JSON (expected ':' after a key)"
			}
			i = skipWS(s, i+1)
			vstart := i
			var ok bool
			if i, ok = skipValue(s, i, 0); !ok {
				return "is not valid JSON (bad value for " + key + ")"
			}
			for r, name := range sh.required {
				if r < len(seen) && len(key) == len(name)+2 && key[1:len(key)-1] == name {
					seen[r] = true
					if t := sh.types[name]; t != "" && jsonTypeOf(s[vstart]) != t {
						return "has " + jsonTypeOf(s[vstart]) + " as the value of " + key + "; the FOCUS schema wants " + article(t)
					}
				}
			}
			i = skipWS(s, i)
			if i < len(s) && s[i] == ',' {
				i = skipWS(s, i+1)
				continue
			}
			if i >= len(s) || s[i] != '}' {
				return "is not valid JSON (expected ',' or '}')"
			}
			i++
			break
		}
	}
	if skipWS(s, i) != len(s) {
		return "has data after the JSON object"
	}
	for r, name := range sh.required {
		if r < len(seen) && !seen[r] {
			return "has no \"" + name + "\" key (the FOCUS schema requires it)"
		}
	}
	return ""
}

func article(t string) string {
	if t == "array" || t == "object" || t == "integer" {
		return "an " + t
	}
	return "a " + t
}

func jsonTypeOf(c byte) string {
	switch {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	}
	return "number"
}

// skipValue returns the index after the JSON value at s[i] and whether it
// is valid JSON. Nesting is limited to 64 levels.
func skipValue(s string, i, depth int) (int, bool) {
	if depth > 64 || i >= len(s) {
		return i, false
	}
	switch c := s[i]; {
	case c == '"':
		end, _, why := stringEnd(s, i)
		return end, why == ""
	case c == '{':
		i = skipWS(s, i+1)
		if i < len(s) && s[i] == '}' {
			return i + 1, true
		}
		for {
			if i >= len(s) || s[i] != '"' {
				return i, false
			}
			end, _, why := stringEnd(s, i)
			if why != "" {
				return i, false
			}
			i = skipWS(s, end)
			if i >= len(s) || s[i] != ':' {
				return i, false
			}
			var ok bool
			if i, ok = skipValue(s, skipWS(s, i+1), depth+1); !ok {
				return i, false
			}
			i = skipWS(s, i)
			if i < len(s) && s[i] == ',' {
				i = skipWS(s, i+1)
				continue
			}
			if i < len(s) && s[i] == '}' {
				return i + 1, true
			}
			return i, false
		}
	case c == '[':
		i = skipWS(s, i+1)
		if i < len(s) && s[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = skipValue(s, i, depth+1); !ok {
				return i, false
			}
			i = skipWS(s, i)
			if i < len(s) && s[i] == ',' {
				i = skipWS(s, i+1)
				continue
			}
			if i < len(s) && s[i] == ']' {
				return i + 1, true
			}
			return i, false
		}
	case c == 't' && strings.HasPrefix(s[i:], "true"):
		return i + 4, true
	case c == 'f' && strings.HasPrefix(s[i:], "false"):
		return i + 5, true
	case c == 'n' && strings.HasPrefix(s[i:], "null"):
		return i + 4, true
	}
	e := jsonNumberEnd(s, i)
	return e, e > i
}

// objectSchema is the subset of JSON Schema (2020-12) the FOCUS object
// schemas use: type, required, properties, patternProperties,
// additionalProperties (false), items, minItems, minimum, maximum, anyOf,
// allOf, if/then, description.
type objectSchema struct {
	types        []string
	required     []string
	props        map[string]*objectSchema
	patterns     []*regexp.Regexp
	patternSch   []*objectSchema
	noAdditional bool
	items        *objectSchema
	minItems     int
	min, max     *big.Rat
	anyOf        []*objectSchema
	allOf        []*objectSchema
	ifS, thenS   *objectSchema
	description  string
}

func compileSchema(b []byte) (*objectSchema, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	sc := &objectSchema{props: map[string]*objectSchema{}, minItems: -1}
	for k, v := range raw {
		var err error
		switch k {
		case "type":
			if bytes.HasPrefix(bytes.TrimSpace(v), []byte("[")) {
				err = json.Unmarshal(v, &sc.types)
			} else {
				var t string
				err = json.Unmarshal(v, &t)
				sc.types = []string{t}
			}
		case "required":
			err = json.Unmarshal(v, &sc.required)
		case "properties", "patternProperties":
			var m map[string]json.RawMessage
			if err = json.Unmarshal(v, &m); err != nil {
				break
			}
			keys := make([]string, 0, len(m))
			for p := range m {
				keys = append(keys, p)
			}
			sort.Strings(keys)
			for _, p := range keys {
				sub, err := compileSchema(m[p])
				if err != nil {
					return nil, err
				}
				if k == "properties" {
					sc.props[p] = sub
				} else {
					re, err := regexp.Compile(p)
					if err != nil {
						return nil, fmt.Errorf("schema pattern %q: %w", p, err)
					}
					sc.patterns = append(sc.patterns, re)
					sc.patternSch = append(sc.patternSch, sub)
				}
			}
		case "additionalProperties":
			var b bool
			if json.Unmarshal(v, &b) == nil && !b {
				sc.noAdditional = true
			}
		case "items":
			sc.items, err = compileSchema(v)
		case "minItems":
			err = json.Unmarshal(v, &sc.minItems)
		case "minimum", "maximum":
			r, ok := new(big.Rat).SetString(string(bytes.TrimSpace(v)))
			if !ok {
				return nil, fmt.Errorf("schema %s %s: not a number", k, v)
			}
			if k == "minimum" {
				sc.min = r
			} else {
				sc.max = r
			}
		case "anyOf", "allOf":
			var list []json.RawMessage
			if err = json.Unmarshal(v, &list); err != nil {
				break
			}
			for _, l := range list {
				sub, err := compileSchema(l)
				if err != nil {
					return nil, err
				}
				if k == "anyOf" {
					sc.anyOf = append(sc.anyOf, sub)
				} else {
					sc.allOf = append(sc.allOf, sub)
				}
			}
		case "if":
			sc.ifS, err = compileSchema(v)
		case "then":
			sc.thenS, err = compileSchema(v)
		case "description":
			err = json.Unmarshal(v, &sc.description)
		case "$schema", "$id", "$comment", "title":
		default:
			return nil, fmt.Errorf("schema keyword %q not supported", k)
		}
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", k, err)
		}
	}
	return sc, nil
}

// validateJSON decodes s and checks it against the schema, returning the
// first violation ("" = conforms) with its path, e.g.
// `Elements[0].AllocatedRatio: 1.5 is above the maximum 1`.
func (sc *objectSchema) validateJSON(s string) string {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "is not valid JSON"
	}
	return sc.validate(v, "")
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case nil:
		return "null"
	case json.Number:
		return "number"
	}
	return "unknown"
}

func at(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

func (sc *objectSchema) validate(v any, path string) string {
	if len(sc.types) > 0 {
		t := jsonType(v)
		ok := false
		for _, w := range sc.types {
			ok = ok || w == t || (w == "integer" && t == "number" && !strings.ContainsAny(string(v.(json.Number)), ".eE"))
		}
		if !ok {
			return at(path) + "is " + article(t) + ", want " + strings.Join(sc.types, " or ")
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for _, r := range sc.required {
			if _, ok := x[r]; !ok {
				return at(path) + "has no \"" + r + "\" key (required)"
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub := path + "." + k
			if path == "" {
				sub = k
			}
			matched := false
			if p := sc.props[k]; p != nil {
				matched = true
				if why := p.validate(x[k], sub); why != "" {
					return why
				}
			}
			for i, re := range sc.patterns {
				if re.MatchString(k) {
					matched = true
					if why := sc.patternSch[i].validate(x[k], sub); why != "" {
						return why
					}
				}
			}
			if !matched && sc.noAdditional {
				return at(path) + "has the key \"" + k + "\", which FOCUS does not define (custom keys start with x_ and are PascalCase)"
			}
		}
	case []any:
		if sc.minItems >= 0 && len(x) < sc.minItems {
			return at(path) + fmt.Sprintf("has %d elements, want at least %d", len(x), sc.minItems)
		}
		if sc.items != nil {
			for i, e := range x {
				if why := sc.items.validate(e, path+"["+strconv.Itoa(i)+"]"); why != "" {
					return why
				}
			}
		}
	case json.Number:
		if sc.min != nil || sc.max != nil {
			r, ok := new(big.Rat).SetString(string(x))
			if ok && sc.min != nil && r.Cmp(sc.min) < 0 {
				return at(path) + string(x) + " is below the minimum " + sc.min.RatString()
			}
			if ok && sc.max != nil && r.Cmp(sc.max) > 0 {
				return at(path) + string(x) + " is above the maximum " + sc.max.RatString()
			}
		}
	}
	for _, a := range sc.allOf {
		if why := a.validate(v, path); why != "" {
			if a.description != "" {
				return at(path) + "does not satisfy: " + a.description + " (" + why + ")"
			}
			return why
		}
	}
	if len(sc.anyOf) > 0 {
		var descs []string
		ok := false
		for _, a := range sc.anyOf {
			if a.validate(v, path) == "" {
				ok = true
				break
			}
			if a.description != "" {
				descs = append(descs, a.description)
			}
		}
		if !ok {
			if len(descs) > 0 {
				return at(path) + "matches none of: " + strings.Join(descs, " / ")
			}
			return at(path) + "matches none of the alternatives the FOCUS schema allows"
		}
	}
	if sc.ifS != nil && sc.thenS != nil && sc.ifS.validate(v, path) == "" {
		if why := sc.thenS.validate(v, path); why != "" {
			return why
		}
	}
	return ""
}
