package ledgertest

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
	"github.com/openchargeback/ocb/lib/validate"
)

// A file that did not go through focus-validate is held to its rules: a
// bad date, a bad currency or a NUL byte refuses the whole file, naming
// each problem GNU style, and nothing is imported.
func testImportRunsValidateRules(t *testing.T, open Opener) {
	for _, f := range []string{"bad-date.csv", "bad-currency.csv", "nul-byte.csv"} {
		l := open(t)
		b, err := os.ReadFile(testdata("invalid/" + f))
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.Import(ctx, tester, bytes.NewReader(b), ledger.ImportOptions{Source: "X", FileName: f, Tags: tagkeys.Default()})
		inv, ok := err.(*ledger.InvalidRowsError)
		if !ok || !ledger.IsRefused(err) || len(inv.Diagnostics) == 0 {
			t.Fatalf("%s: want InvalidRowsError, got %v", f, err)
		}
		d := inv.Diagnostics[0]
		if d.File != f || d.Line < 2 || d.Column == "" || d.Rule == "" {
			t.Errorf("%s: diagnostic %+v", f, d)
		}
		if n := leftBehind(t, l, false); n != 0 {
			t.Errorf("%s: %d rows left behind", f, n)
		}
	}
}

// A row without a PI e-mail or a fund gets a pending review item even when
// focus-flag never ran (no x_Flags column).
func testUnownedRowsAreAlwaysReviewed(t *testing.T, open Opener) {
	l := open(t)
	data := "BillingPeriodStart,BilledCost,ServiceName,Tags\n" +
		"2025-01-01T00:00:00Z,1,S,\"{\"\"pi_email\"\":\"\"a@uni.edu\"\",\"\"fund_org\"\":\"\"F\"\"}\"\n" +
		"2025-01-01T00:00:00Z,2,S,\"{\"\"fund_org\"\":\"\"F\"\"}\"\n" +
		"2025-01-01T00:00:00Z,3,S,\"{\"\"pi_email\"\":\"\"b@uni.edu\"\"}\"\n" +
		"2025-01-01T00:00:00Z,4,S,\n" +
		// A pi_email that is no address bills nobody either (issue 26).
		"2025-01-01T00:00:00Z,5,S,\"{\"\"pi_email\"\":\"\"k.johnson@@uni\"\",\"\"fund_org\"\":\"\"F\"\"}\"\n"
	res, err := importString(t, l, "X", data)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unowned != 4 || res.Flagged != 4 {
		t.Fatalf("result %+v", res)
	}
	items, err := l.ReviewItems(ctx, "2025-01", "pending")
	if err != nil || len(items) != 4 {
		t.Fatalf("items %+v %v", items, err)
	}
	want := []string{"missing-tag:pi_email", "missing-tag:fund_org", "missing-tag:pi_email;missing-tag:fund_org", "bad-email"}
	for i, it := range items {
		if it.Flags != want[i] {
			t.Errorf("item %d flags %q, want %q", it.ChargeID, it.Flags, want[i])
		}
	}
	if err := l.ClosePeriod(ctx, tester, "2025-01"); err != nil {
		t.Fatal(err)
	}
	if err := l.FinalizePeriod(ctx, tester, "2025-01"); err == nil || !strings.Contains(err.Error(), "pending") {
		t.Fatalf("finalize with unowned rows: %v", err)
	}
}

// The same charges under a second source are refused whatever happened to
// the file on the way: focus-validate's normalisation, an x_Flags column,
// NDJSON instead of CSV.
func testSameRowsUnderAnotherSourceRefused(t *testing.T, open Opener) {
	raw, err := os.ReadFile(testdata("openchargeback/2025-01/hpc.csv"))
	if err != nil {
		t.Skip(err)
	}
	// The "piped" twin: through focus-validate (normalised dates), with an
	// x_Flags column, as NDJSON with the Tags re-serialised.
	var valid bytes.Buffer
	if _, err := validate.Run(validate.Config{Stdout: &valid, Stderr: io.Discard,
		Open: func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }}, []string{"hpc.csv"}); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(valid.Bytes(), raw) {
		t.Fatal("focus-validate did not normalise the sample")
	}
	rows := readAll(t, valid.Bytes())
	var nd bytes.Buffer
	w := focus.NewWriter(&nd, focus.NDJSON)
	w.WriteHeader(append(rows[0], "x_Flags"))
	for _, r := range rows[1:] {
		w.Write(append(r, "watch"))
	}
	w.Flush()

	l := open(t)
	if _, err := l.Import(ctx, tester, bytes.NewReader(nd.Bytes()), ledger.ImportOptions{Source: "HPC", FileName: "hpc.ndjson", Tags: tagkeys.Default()}); err != nil {
		t.Fatal(err)
	}
	_, err = l.Import(ctx, tester, bytes.NewReader(raw), ledger.ImportOptions{Source: "AWS", FileName: "hpc.csv", Tags: tagkeys.Default()})
	if err == nil || !ledger.IsRefused(err) || !strings.Contains(err.Error(), "under source HPC (import 1, hpc.ndjson)") || !strings.Contains(err.Error(), "--allow-overlap") {
		t.Fatalf("want overlap refusal, got %v", err)
	}
	res, err := l.Import(ctx, tester, bytes.NewReader(raw), ledger.ImportOptions{Source: "AWS", FileName: "hpc.csv", Tags: tagkeys.Default(), AllowOverlap: true})
	if err != nil || res.Overlap == nil || res.Overlap.ImportID != 1 {
		t.Fatalf("--allow-overlap: %+v %v", res, err)
	}
	recs, _ := l.Audit(ctx, "2025-01")
	last := recs[len(recs)-1]
	if last.Action != "import" || !strings.Contains(last.Reason, "--allow-overlap") || !strings.Contains(last.After, `"allow_overlap":true`) {
		t.Fatalf("audit %+v", last)
	}
}

// Every file of testdata/invalid (one kind of breakage each, as
// focus-validate sees it) is refused by the import alone, leaving nothing.
func testImportRefusesEveryInvalidSample(t *testing.T, open Opener) {
	files, _ := filepath.Glob(testdata("invalid/*.csv"))
	if len(files) < 10 {
		t.Fatalf("%d invalid samples", len(files))
	}
	for _, f := range files {
		l := open(t)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.Import(ctx, tester, bytes.NewReader(b), ledger.ImportOptions{Source: "X", FileName: filepath.Base(f), Tags: tagkeys.Default()})
		if err == nil || !ledger.IsRefused(err) {
			t.Errorf("%s: want a refusal, got %v", filepath.Base(f), err)
		}
		if n := leftBehind(t, l, false); n != 0 {
			t.Errorf("%s: %d rows left behind", filepath.Base(f), n)
		}
	}
}
