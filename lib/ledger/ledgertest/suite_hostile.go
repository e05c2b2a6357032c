package ledgertest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// readAll reads a FOCUS file's header and rows as lib/focus sees them.
func readAll(t *testing.T, b []byte) [][]string {
	t.Helper()
	r, err := focus.NewReader(bytes.NewReader(b), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	out := [][]string{append([]string(nil), r.Header()...)}
	for {
		row, err := r.Read()
		if err != nil {
			break
		}
		out = append(out, append([]string(nil), row.Values...))
	}
	return out
}

// A BOM, CRLF line ends, control characters, a 1 MB cell, quotes and newlines in
// cells, a formula and a path in text cells: stored and exported unchanged
// (values, not bytes: the export is plain UTF-8 without BOM or CR LF).
func testHostileCellsRoundTrip(t *testing.T, open Opener) {
	l := open(t)
	huge := strings.Repeat("x", 1<<20)
	rows := [][]string{
		{"BillingPeriodStart", "BilledCost", "ServiceName", "ResourceName", "Tags", "x_Flags"},
		{"2025-01-01", "1.10", "S\x01SOH", "=HYPERLINK(\"http://evil\")", `{"pi_email":"A@Uni.EDU","fund_org":"F\"q"}`, ""},
		{"2025-01-01", "2.20", "multi\r\nline \"quoted\"", "../../etc/passwd", `{"pi_email":"b@uni.edu"}`, "watch"},
		{"2025-01-01", "3.30", huge, "ok", "", ""},
	}
	var in bytes.Buffer
	in.WriteString("\ufeff")
	w := focus.NewWriter(&in, focus.CSV)
	w.WriteHeader(rows[0])
	for _, r := range rows[1:] {
		w.Write(r)
	}
	w.Flush()
	crlf := bytes.ReplaceAll(in.Bytes(), []byte("\n"), []byte("\r\n"))
	res, err := l.Import(ctx, tester, bytes.NewReader(crlf), ledger.ImportOptions{Source: "X", FileName: "evil.csv", Tags: tagkeys.Default()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3 || res.Flagged != 2 || res.Unowned != 2 || res.BilledCost.String() != "6.6" {
		t.Fatalf("result %+v", res)
	}
	var out bytes.Buffer
	// NDJSON: a CSV round trip would turn the CR LF inside a quoted cell
	// into LF (encoding/csv reads it so), which is not the ledger's doing.
	ew := focus.NewWriter(&out, focus.NDJSON)
	if _, err := l.ExportCharges(ctx, "2025-01", ew); err != nil {
		t.Fatal(err)
	}
	ew.Flush()
	want, got := readAll(t, crlf), readAll(t, out.Bytes())
	if len(want) != 4 || len(got) != 4 {
		t.Fatalf("rows: %d read from the input, %d from the export", len(want), len(got))
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("row %d col %s: %.60q, want %.60q", i, rows[0][j], got[i][j], want[i][j])
			}
		}
	}
	if want[1][2] != "S\x01SOH" || want[3][2] != huge || want[1][3] != rows[1][3] {
		t.Fatalf("the input was not read as written: %.60q", want[1])
	}
	var charges []string
	l.EachCharge(ctx, "2025-01", func(c *ledger.Charge) error {
		charges = append(charges, c.PIEmail+"|"+c.FundOrg+"|"+c.ServiceName[:min(len(c.ServiceName), 5)])
		return nil
	})
	if strings.Join(charges, " ") != "||xxxxx a@uni.edu|F\"q|S\x01SOH b@uni.edu||multi" {
		t.Fatalf("charges %q", charges)
	}
}
