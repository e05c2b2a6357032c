package focus

import (
	"bytes"
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
	dec := json.NewDecoder(bytes.NewReader([]byte(cell)))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("Tags is not valid JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("Tags is not a JSON object")
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("Tags is not valid JSON: %v", err)
		}
		key := kt.(string)
		vt, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("Tags is not valid JSON: %v", err)
		}
		if _, dup := tags[key]; dup {
			return nil, fmt.Errorf("Tags has key %q twice", key)
		}
		switch v := vt.(type) {
		case string:
			tags[key] = v
		case json.Number:
			tags[key] = v.String()
		case bool:
			if v {
				tags[key] = "true"
			} else {
				tags[key] = "false"
			}
		case nil:
			tags[key] = ""
		default:
			return nil, fmt.Errorf("Tags value of %q is a nested object or array; FOCUS allows only strings, numbers and booleans", key)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("Tags is not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, errors.New("Tags has trailing data after the JSON object")
	}
	return tags, nil
}
