package exportkit

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
)

func TestTagsJSON(t *testing.T) {
	got := TagsJSON(map[string]string{"pi_name": "Smith & <Jones>", "fund_org": "F-1", "q": `a"b`})
	want := `{"fund_org":"F-1","pi_name":"Smith & <Jones>","q":"a\"b"}`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if TagsJSON(nil) != "{}" {
		t.Errorf("nil tags: %s", TagsJSON(nil))
	}
}

func TestPeriod(t *testing.T) {
	p, err := ParsePeriod("2024-02")
	if err != nil || p.Days() != 29 || p.Hours() != 696 || p.End.Format(TimeFormat) != "2024-03-01T00:00:00Z" {
		t.Errorf("2024-02: %v %d %d %s", err, p.Days(), p.Hours(), p.End.Format(TimeFormat))
	}
	for _, bad := range []string{"2024-2", "2024-13", "202402", ""} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestCreditRow: a credit has no quantity or unit price; ListCost and
// BilledCost are its (negative) amount, as FOCUS wants for charges not
// derived from others.
func TestCreditRow(t *testing.T) {
	p, _ := ParsePeriod("2025-01")
	s := Source{BillingAccountID: "hpc", Currency: "USD", Provider: "RC", Period: p}
	var b bytes.Buffer
	err := Write(&b, focus.CSV, s, []Charge{{
		Category: "Credit", Description: "node outage credit", ServiceCategory: "Compute",
		ServiceName: "HPC Compute", Amount: decimal.RequireFromString("-12.50"),
		ResourceID: "chem-lab", Tags: map[string]string{"pi_email": "a@uni.edu"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := focus.NewReader(&b, "x")
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	get := func(c string) string { return row.Values[r.Index(c)] }
	for c, want := range map[string]string{
		"ChargeCategory": "Credit", "BilledCost": "-12.5", "ListCost": "-12.5", "EffectiveCost": "-12.5",
		"ChargeFrequency": "One-Time", "PricingQuantity": "", "ListUnitPrice": "", "ConsumedQuantity": "",
		"SkuId": "", "PricingCategory": "",
	} {
		if got := get(c); got != want {
			t.Errorf("%s = %q, want %q", c, got, want)
		}
	}
}

func TestReadTableMissingColumns(t *testing.T) {
	_, err := ReadTable("-", strings.NewReader("A,b\n1,2\n"), "a", "c", "d")
	if err == nil || ExitCode(err) != ExitData || !strings.Contains(err.Error(), "missing column(s) c, d") {
		t.Errorf("err %v", err)
	}
}

// TestMainAndFlags checks the flags every script has and the exit codes of Main.
func TestMainAndFlags(t *testing.T) {
	parse := func(args []string, stderr io.Writer) (Common, error) {
		fs := NewFlags("x-to-focus", "usage: x-to-focus\n", stderr, "billing month `YYYY-MM` (required)", "acct", "Account")
		fs.String("rates", "", "rates")
		if err := fs.Parse(args, "rates"); err != nil {
			return Common{}, err
		}
		return fs.Common(nil)
	}
	var got Common
	export := func(c Common, stdin io.Reader, stdout, stderr io.Writer) error {
		got = c
		if c.Source.Currency == "XXX" {
			return Dataf("bad data")
		}
		return nil
	}
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-h"}, ExitOK, "usage: x-to-focus\n"},
		{[]string{"--period", "2025-01"}, ExitUsage, "x-to-focus: --period and --rates are required\n"},
		{[]string{"--rates", "r", "--period", "2025-1"}, ExitUsage, "x-to-focus: period \"2025-1\": want YYYY-MM\n"},
		{[]string{"--rates", "r", "--period", "2025-01", "--out", "xml"}, ExitUsage, "x-to-focus: --out: "},
		{[]string{"--rates", "r", "--period", "2025-01", "--currency", "XXX"}, ExitData, "x-to-focus: bad data\n"},
		{[]string{"--rates", "r", "--period", "2025-01", "--out", "ndjson", "a", "b"}, ExitOK, ""},
	} {
		var stderr bytes.Buffer
		code := Main("x-to-focus", parse, export, c.args, strings.NewReader(""), io.Discard, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.stderr) {
			t.Errorf("%q: exit %d, want %d; stderr:\n%s", c.args, code, c.code, stderr.String())
		}
	}
	if got.Format != focus.NDJSON || strings.Join(got.Files, " ") != "a b" || got.Source.BillingAccountID != "acct" || got.Source.Period.String() != "2025-01" {
		t.Errorf("%+v", got)
	}
	Main("x-to-focus", parse, export, []string{"--rates", "r", "--period", "2025-01"}, nil, io.Discard, io.Discard)
	if got.Format != focus.CSV || strings.Join(got.Files, " ") != "-" || got.Source.Provider != "Research Computing" {
		t.Errorf("defaults: %+v", got)
	}
}
