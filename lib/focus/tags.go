package focus

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ParseTags decodes a Tags cell: a JSON object whose values are scalars
// (FOCUS Key-Value Format). Values are returned as text: strings as they
// are, numbers as written, booleans as "true"/"false", null as "". Nested
// objects or arrays are an error, as the spec forbids them. An empty cell is
// an empty map.
func ParseTags(cell string) (map[string]string, error) {
	tags := map[string]string{}
	if cell == "" {
		return tags, nil
	}
	// A hand-written scan (see ndjson.go): encoding/json's Token API was a
	// fifth of focus-load's import time.
	sc := &scanner{b: []byte(cell)}
	sc.space()
	if !sc.eat('{') {
		if json.Valid(sc.b) {
			return nil, errors.New("Tags is not a JSON object")
		}
		return nil, fmt.Errorf("Tags is not valid JSON: %q", clip(cell))
	}
	sc.space()
	if !sc.eat('}') {
		for {
			sc.space()
			key, err := sc.str()
			if err != nil {
				return nil, fmt.Errorf("Tags is not valid JSON: %v at byte %d", err, sc.i+1)
			}
			sc.space()
			if !sc.eat(':') {
				return nil, fmt.Errorf("Tags is not valid JSON: expected ':' after %q", key)
			}
			sc.space()
			if sc.i < len(sc.b) && (sc.b[sc.i] == '{' || sc.b[sc.i] == '[') {
				return nil, fmt.Errorf("Tags value of %q is a nested object or array; FOCUS allows only strings, numbers and booleans", key)
			}
			v, err := sc.value()
			if err != nil {
				return nil, fmt.Errorf("Tags is not valid JSON: value of %q: %v", key, err)
			}
			if _, dup := tags[key]; dup {
				return nil, fmt.Errorf("Tags has key %q twice", key)
			}
			tags[key] = v
			sc.space()
			if sc.eat(',') {
				continue
			}
			if sc.eat('}') {
				break
			}
			return nil, fmt.Errorf("Tags is not valid JSON: expected ',' or '}' at byte %d", sc.i+1)
		}
	}
	sc.space()
	if sc.i != len(sc.b) {
		return nil, errors.New("Tags has trailing data after the JSON object")
	}
	return tags, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
