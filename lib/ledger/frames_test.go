package ledger

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// appendCells appends vals as a "cells" record, the record format of
// imports made before "columns" frames.
func appendCells(dst []byte, vals []string) []byte {
	for _, v := range vals {
		dst = binary.AppendUvarint(dst, uint64(len(v)))
		dst = append(dst, v...)
	}
	return dst
}

// Stored rows come back as they were read: "cells" records byte for
// byte (invalid UTF-8 and NUL included), "json" records of earlier imports
// as encoding/json wrote them.
func TestStoredRecordsRoundTrip(t *testing.T) {
	vals := hostileCells
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

// hostileCells are cell values a frame must keep byte for byte.
var hostileCells = []string{"", "plain", `q"uote\back`, "line\nbreak\r\ttab", "nul\x00byte", "é ünïcode 😀", "bad\xffutf8",
	"=HYPERLINK(\"x\")", "\u2028", string(make([]byte, 300))}

// Frames of every record format an import may have give back its rows in
// order: "columns" (new imports) and "cells" (imports before them).
func TestEachRowReadsEveryFrameFormat(t *testing.T) {
	var rows [][]string
	for i := range 700 {
		r := slices.Clone(hostileCells)
		r[1] = fmt.Sprint("row ", i)
		r[9] = strings.Repeat("x", i)
		rows = append(rows, r)
	}
	var coder columnFrameCoder
	columns, err := coder.frame(0, rows)
	if err != nil {
		t.Fatal(err)
	}
	var fb frameBuilder
	for _, r := range rows {
		if _, full, err := fb.add(appendCells(nil, r)); err != nil || full {
			t.Fatal(full, err)
		}
	}
	cells, err := fb.flush()
	if err != nil {
		t.Fatal(err)
	}
	for format, data := range map[string][]byte{"columns": columns.data, "cells": cells.data} {
		var got [][]string
		if err := eachRow(data, format, func(vals []string) error {
			got = append(got, slices.Clone(vals))
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if !reflect.DeepEqual(got, rows) {
			t.Errorf("%s: %d rows back, not the %d written", format, len(got), len(rows))
		}
	}
	for _, bad := range [][]byte{nil, {0xff, 0xff, 0xff, 0xff, 0x0f}, columns.data[:len(columns.data)/2], append([]byte{0}, columns.data...)} {
		if err := eachRow(bad, "columns", func([]string) error { return nil }); err == nil {
			t.Errorf("a corrupt frame of %d bytes was read", len(bad))
		}
	}
	if _, err := appendColumnFrame(nil, [][]string{{"a", "b"}, {"c"}}); err == nil {
		t.Error("a frame of rows with different cell counts was written")
	}
}

// FuzzDecodeColumnFrame: any bytes decode or are refused, never panic or
// allocate beyond their size; what appendColumnFrame writes decodes to the
// same rows.
func FuzzDecodeColumnFrame(f *testing.F) {
	f.Add([]byte{}, "a", "b", 3)
	f.Add([]byte{2, 2, 1, 1, 1, 1, 'a', 'b', 'c', 'd'}, "=HYPERLINK(\"x\")", "nul\x00", 1)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 1}, "\xff", "é", 0)
	f.Fuzz(func(t *testing.T, raw []byte, a, b string, n int) {
		decodeColumnFrame(raw) // must not panic
		n = 1 + n&63
		rows := make([][]string, n)
		for i := range rows {
			rows[i] = []string{a, b, a + b}
		}
		frame, err := appendColumnFrame(nil, rows)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeColumnFrame(frame)
		if err != nil || !reflect.DeepEqual(got, rows) {
			t.Fatalf("%q %q ×%d: %q, %v", a, b, n, got, err)
		}
		if _, err := decodeColumnFrame(frame[:len(frame)-1]); err == nil && len(a)+len(b) > 0 {
			t.Fatal("a cut frame was read")
		}
	})
}
