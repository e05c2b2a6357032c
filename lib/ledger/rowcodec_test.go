package ledger

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/openchargeback/ocb/lib/focus"
)

// Stored rows come back as they were read: "cells" records byte for
// byte (invalid UTF-8 and NUL included), "json" records of earlier imports
// as encoding/json wrote them.
func TestStoredRecordsRoundTrip(t *testing.T) {
	vals := []string{"", "plain", `q"uote\back`, "line\nbreak\r\ttab", "nul\x00byte", "é ünïcode 😀", "bad\xffutf8", "=HYPERLINK(\"x\")", "\u2028", string(make([]byte, 300))}
	got, err := decodeStored(appendCells(nil, vals), "cells")
	if err != nil || !reflect.DeepEqual(got, vals) {
		t.Fatalf("cells: %q, %v\nwant %q", got, err, vals)
	}
	if _, err := decodeStored(appendCells(nil, vals)[:5], "cells"); err == nil {
		t.Error("a cut cells record was read")
	}
	std, _ := json.Marshal(vals)
	got, err = decodeStored(std, "json")
	want := append([]string(nil), vals...)
	want[6] = "bad\ufffdutf8"
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("json: %q, %v", got, err)
	}
	got, err = decodeStored([]byte(`a,"b ""c""",`), "csv")
	if err != nil || !reflect.DeepEqual(got, []string{"a", `b "c"`, ""}) {
		t.Fatalf("csv: %q, %v", got, err)
	}
}

// The fast Tags path must agree with focus.ParseTags, or defer to it.
func TestTagValuesAgreesWithParseTags(t *testing.T) {
	keys := []string{"pi_email", "fund_org", "", "missing"}
	for _, cell := range []string{
		``, `{}`, ` { } `, `{"pi_email":"a@uni.edu","fund_org":"F-1"}`,
		`{ "pi_email" : "a@uni.edu" , "x" : "y" }`,
		`{"pi_email":"a\u0040uni.edu"}`, `{"pi_email":"a\"b"}`, `{"fund_org":12.50}`, `{"fund_org":true}`,
		`{"fund_org":null}`, `{"pi_email":"a","pi_email":"b"}`, `{"pi_email":{"x":"y"}}`, `{"pi_email":"a"`,
		`{"pi_email":"a"} x`, `["a"]`, `not json`, `{"pi_email":"a",}`, "{\"pi_email\":\"a\xffb\"}",
	} {
		out := make([]string, len(keys))
		err := tagValues(cell, keys, out)
		tags, perr := focus.ParseTags(cell)
		if (err == nil) != (perr == nil) {
			t.Errorf("%s: tagValues err %v, ParseTags err %v", cell, err, perr)
			continue
		}
		if err != nil {
			if err.Error() != perr.Error() {
				t.Errorf("%s: error %q, ParseTags %q", cell, err, perr)
			}
			continue
		}
		for i, k := range keys {
			want := ""
			if k != "" {
				want = tags[k]
			}
			if out[i] != want {
				t.Errorf("%s: %s = %q, want %q", cell, k, out[i], want)
			}
		}
	}
}

func FuzzTagValues(f *testing.F) {
	f.Add(`{"pi_email":"a@uni.edu","fund_org":"F"}`)
	f.Add(`{"a":1}`)
	// What focus-flag's fast twin once accepted (issue 15): invalid UTF-8
	// in a key nobody asked for, and in a value.
	f.Add("{\"\xb9\":\"\"}")
	f.Add("{\"pi_email\":\"\xb9\"}")
	f.Fuzz(func(t *testing.T, cell string) {
		keys := []string{"pi_email", "fund_org"}
		out := make([]string, 2)
		err := tagValues(cell, keys, out)
		tags, perr := focus.ParseTags(cell)
		if (err == nil) != (perr == nil) {
			t.Fatalf("%q: %v vs %v", cell, err, perr)
		}
		if err == nil && (out[0] != tags["pi_email"] || out[1] != tags["fund_org"]) {
			t.Fatalf("%q: %q vs %v", cell, out, tags)
		}
	})
}
