package ledger

import (
	"encoding/json"
	"reflect"
	"testing"
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

// FuzzDecodeCells: any bytes decode or are refused, never panic, and what
// appendCells writes decodes to the same cells.
func FuzzDecodeCells(f *testing.F) {
	f.Add([]byte{}, "a", "")
	f.Add([]byte{0x05, 'a'}, "=HYPERLINK(\"x\")", "nul\x00")
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, "\xff", "é")
	f.Fuzz(func(t *testing.T, raw []byte, a, b string) {
		decodeCells(raw) // must not panic
		got, err := decodeCells(appendCells(nil, []string{a, b}))
		if err != nil || len(got) != 2 || got[0] != a || got[1] != b {
			t.Fatalf("%q %q: %q, %v", a, b, got, err)
		}
	})
}

// The charge cells a worker fills point into chargeValues: one text for
// each column after id, import_id, period and line.
func TestChargeValuesMatchColumns(t *testing.T) {
	if got, want := 4+len(chargeValues{}.text), len(chargeCopyColumns); got != want {
		t.Fatalf("chargeValues holds %d cells, chargeCopyColumns has %d", got, want)
	}
}
