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
