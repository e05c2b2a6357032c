package validate

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/focus"
)

// run validates input (one file named in.csv) and returns the result,
// stdout, stderr and the reject stream.
func run(t *testing.T, opts Options, input string) (Result, string, string, string) {
	t.Helper()
	var out, errb, rej bytes.Buffer
	cfg := Config{Options: opts, Stdout: &out, Stderr: &errb, Reject: &rej,
		Open: func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(input)), nil }}
	res, err := Run(cfg, []string{"in.csv"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Read != res.Valid+res.Invalid {
		t.Fatalf("read %d != valid %d + invalid %d", res.Read, res.Valid, res.Invalid)
	}
	return res, out.String(), errb.String(), rej.String()
}

const hdr = "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BillingCurrency,ChargeCategory,ChargeFrequency,ListCost,BilledCost,EffectiveCost,ServiceName,Tags\n"
const okTags = `"{""pi_email"":""a@uni.edu""}"`

func row(bps, bpe, cps, cpe, cur, cat, freq, list, billed, eff, svc, tags string) string {
	return strings.Join([]string{bps, bpe, cps, cpe, cur, cat, freq, list, billed, eff, svc, tags}, ",") + "\n"
}

const (
	jan  = "2025-01-01T00:00:00Z"
	feb  = "2025-02-01T00:00:00Z"
	jan5 = "2025-01-05T00:00:00Z"
)

func TestValidRowPassesUnchanged(t *testing.T) {
	in := hdr + row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8.5", "8.5", "HPC", okTags)
	res, out, errs, _ := run(t, Options{}, in)
	if res.Valid != 1 || res.Invalid != 0 || res.ExitCode() != 0 {
		t.Fatalf("res %+v\n%s", res, errs)
	}
	if out != in {
		t.Errorf("output differs:\n%s\nwant\n%s", out, in)
	}
	if !strings.Contains(errs, "1 rows read, 1 valid, 0 invalid") {
		t.Errorf("summary: %s", errs)
	}
}

func TestRowErrors(t *testing.T) {
	cases := []struct {
		name, row, want string
	}{
		{"bad date", row("2025-13-01", feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags), `in.csv:2: BillingPeriodStart: "2025-13-01" is not a valid calendar date [datetime-format]`},
		{"thousands", row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", `"1,234.50"`, "8", "HPC", okTags), `in.csv:2: BilledCost: "1,234.50" is not a number (no thousands separators`},
		{"dollar", row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "$5", "8", "8", "HPC", okTags), `ListCost: "$5" is not a number (no currency symbols`},
		{"currency", row(jan, feb, jan, jan5, "XYZ", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags), `BillingCurrency: "XYZ" is not an ISO 4217 currency code [currency-format]`},
		{"enum", row(jan, feb, jan, jan5, "USD", "Usgae", "Usage-Based", "10", "8", "8", "HPC", okTags), `ChargeCategory: "Usgae" is not an allowed value; did you mean "Usage"? [enum-value]`},
		{"tags json", row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", "pi=a@uni.edu"), `Tags: is not a JSON object [key-value-format]`},
		{"tags nested", row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", `"{""pi_email"":""a@x.edu"",""o"":{""a"":1}}"`), `Tags: has a nested object or array as the value of "o"`},
		{"order", row(jan, feb, jan5, jan, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags), `ChargePeriodStart: ChargePeriodStart 2025-01-05T00:00:00Z is not before ChargePeriodEnd 2025-01-01T00:00:00Z`},
		{"outside", row(jan, feb, jan, "2025-02-05T00:00:00Z", "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags), `ChargePeriodEnd: 2025-02-05T00:00:00Z is outside the billing period`},
		{"sign", row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "-10", "8", "8", "HPC", okTags), `ListCost: "-10" and BilledCost "8" disagree in sign [cost-sign]`},
		{"nul", row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HP\x00C", okTags), `ServiceName: contains a NUL byte [nul-byte]`},
		{"null billed", row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "", "8", "HPC", okTags), `BilledCost: must not be null [not-null]`},
		{"not utc", row(jan, feb, "2025-01-01T00:00:00+02:00", jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags), `is not in UTC`},
		{"purchase usage-based", row(jan, feb, jan, jan5, "USD", "Purchase", "Usage-Based", "10", "8", "8", "HPC", okTags), `[charge-frequency]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, out, errs, rej := run(t, Options{}, hdr+c.row)
			if res.Invalid != 1 || res.ExitCode() != 1 {
				t.Fatalf("res %+v\n%s", res, errs)
			}
			if !strings.Contains(errs, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, errs)
			}
			if out != hdr {
				t.Errorf("invalid row reached stdout:\n%s", out)
			}
			r, err := focus.NewReader(strings.NewReader(rej), "rej")
			if err != nil {
				t.Fatal(err)
			}
			xi := r.Index("x_Errors")
			rr, err := r.Read()
			if err != nil || xi < 0 || rr.Values[xi] == "" {
				t.Fatalf("reject row: %v %v %q", err, xi, rej)
			}
		})
	}
}

func TestTolerantNormalises(t *testing.T) {
	in := hdr + row("2025-01-01", "2025-01-31", "2025-01-01 00:00:00", "2025-01-10", "usd", "usage", "Usage-based", "+10", "NULL", "8", "HPC", okTags)
	// BilledCost NULL is a null in a needed column: use a valid BilledCost instead.
	in = strings.Replace(in, ",NULL,", ",8,", 1)
	in = strings.Replace(in, `"{""pi`, `"{""pi`, 1)
	res, out, errs, _ := run(t, Options{}, in)
	if res.Valid != 1 {
		t.Fatalf("res %+v\n%s", res, errs)
	}
	want := hdr + row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags)
	// ChargePeriodEnd 2025-01-10 is inclusive (BillingPeriodEnd was too): 2025-01-11.
	want = strings.Replace(want, jan5, "2025-01-11T00:00:00Z", 1)
	if out != want {
		t.Errorf("normalised:\n%s\nwant\n%s", out, want)
	}
	for _, rule := range []string{RuleDateOnly, RuleDateTime, RuleInclusiveBilling, RuleInclusiveCharge, RuleEnumCase, RuleCurrency, RuleNumeric} {
		if !strings.Contains(errs, "["+rule+"]") {
			t.Errorf("no warning [%s]:\n%s", rule, errs)
		}
	}
	// --strict: each deviation is an error.
	res, _, errs, _ = run(t, Options{Strict: true}, in)
	if res.Invalid != 1 || !strings.Contains(errs, `BillingPeriodEnd: "2025-01-31" is the last day of the month`) {
		t.Errorf("strict: %+v\n%s", res, errs)
	}
}

func TestInclusiveChargeEndOnlyWithInclusiveBillingEnd(t *testing.T) {
	// A date-only ChargePeriodEnd with an exclusive BillingPeriodEnd is read as written.
	in := hdr + row(jan, feb, "2025-01-01", "2025-01-10", "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags)
	_, out, errs, _ := run(t, Options{}, in)
	if !strings.Contains(out, ",2025-01-10T00:00:00Z,") || strings.Contains(errs, RuleInclusiveCharge) {
		t.Errorf("out %s\nerrs %s", out, errs)
	}
}

func TestNullLiteral(t *testing.T) {
	in := hdr + row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", "null")
	res, out, errs, _ := run(t, Options{}, in)
	if res.Valid != 1 || !strings.Contains(errs, "[null-literal]") || !strings.HasSuffix(out, "HPC,\n") {
		t.Errorf("res %+v out %q errs %s", res, out, errs)
	}
}

func TestPIEmailWarningOrError(t *testing.T) {
	in := hdr + row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", `"{""pi_name"":""Ada""}"`)
	res, _, errs, _ := run(t, Options{}, in)
	if res.Valid != 1 || !strings.Contains(errs, "Tags: warning: no pi_email tag") {
		t.Errorf("default: %+v %s", res, errs)
	}
	res, _, errs, _ = run(t, Options{StrictProfile: true}, in)
	if res.Invalid != 1 || !strings.Contains(errs, "in.csv:2: Tags: no pi_email tag") {
		t.Errorf("strict-profile: %+v %s", res, errs)
	}
	// Renamed key.
	opts := Options{StrictProfile: true}
	opts.Keys.PIEmail = "pi_name"
	if res, _, errs, _ = run(t, opts, in); res.Valid != 1 {
		t.Errorf("--tag-pi-email pi_name: %+v %s", res, errs)
	}
}

func TestHeaderChecks(t *testing.T) {
	in := "BilledCost,ServiceName,Tags,SkuPriceid,Foo,x_Bar\n8,HPC," + okTags + ",a,b,c\n"
	res, _, errs, _ := run(t, Options{Period: "2025-01"}, in)
	if res.Valid != 1 {
		t.Fatalf("%+v %s", res, errs)
	}
	for _, w := range []string{"SkuPriceid: warning: unknown column; did you mean `SkuPriceId`?", "Foo: warning: not a FOCUS 1.0 column", "[spec-mandatory-columns]", "[chargeback-currency]"} {
		if !strings.Contains(errs, w) {
			t.Errorf("missing %q:\n%s", w, errs)
		}
	}
	if strings.Contains(errs, "x_Bar") {
		t.Errorf("x_ column reported:\n%s", errs)
	}
	res, _, errs, _ = run(t, Options{Period: "2025-01", Strict: true}, in)
	if res.ExitCode() != 1 || !strings.Contains(errs, "in.csv:1: SkuPriceid: unknown column; did you mean `SkuPriceId`?") {
		t.Errorf("strict: %+v %s", res, errs)
	}
	// Missing BilledCost: every row is rejected, one diagnostic.
	res, _, errs, rej := run(t, Options{Period: "2025-01"}, "ServiceName,Tags\nHPC,\nHPC,\n")
	if res.Invalid != 2 || strings.Count(errs, "a chargeback needs") != 1 || !strings.Contains(rej, "missing column(s) a chargeback needs: BilledCost") {
		t.Errorf("missing BilledCost: %+v %s %s", res, errs, rej)
	}
	// No billing period at all.
	res, _, errs, _ = run(t, Options{}, "BilledCost,ServiceName,Tags\n1,HPC,"+okTags+"\n")
	if res.Invalid != 1 || !strings.Contains(errs, "[chargeback-billing-period]") {
		t.Errorf("no period: %+v %s", res, errs)
	}
}

func TestPeriodMismatch(t *testing.T) {
	in := hdr + row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags)
	res, _, errs, _ := run(t, Options{Period: "2025-12"}, in)
	if res.Invalid != 1 || !strings.Contains(errs, "[period-mismatch]") {
		t.Errorf("%+v %s", res, errs)
	}
}

func TestFieldCountKeepsRow(t *testing.T) {
	in := hdr + row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags) + "a,b\n" +
		strings.TrimSuffix(row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags), "\n") + ",extra\n"
	res, _, errs, rej := run(t, Options{}, in)
	if res.Read != 3 || res.Valid != 1 || res.Invalid != 2 {
		t.Fatalf("%+v %s", res, errs)
	}
	if !strings.Contains(errs, "in.csv:3: row has 2 fields, header has 12 [field-count]") || !strings.Contains(rej, `extra fields: \""extra\""`) && !strings.Contains(rej, `extra fields: ""extra""`) {
		t.Errorf("errs %s\nrej %s", errs, rej)
	}
}

func TestJSONDiagnostics(t *testing.T) {
	var out, errb bytes.Buffer
	in := hdr + row("bad", feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags)
	cfg := Config{JSON: true, Stdout: &out, Stderr: &errb,
		Open: func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(in)), nil }}
	if _, err := Run(cfg, []string{"x.csv"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	var d Diagnostic
	for _, l := range lines {
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if d.Severity == Error {
			break
		}
	}
	if d.File != "x.csv" || d.Line != 2 || d.Column != "BillingPeriodStart" || d.Severity != Error || d.Rule != RuleDateTime {
		t.Errorf("%+v", d)
	}
	if !strings.Contains(lines[len(lines)-1], `"rule":"summary"`) {
		t.Errorf("last line: %s", lines[len(lines)-1])
	}
}

func TestMaxErrors(t *testing.T) {
	bad := row("bad", feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags)
	var out, errb bytes.Buffer
	in := hdr + strings.Repeat(bad, 10)
	cfg := Config{MaxErrors: 3, Stdout: &out, Stderr: &errb,
		Open: func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(in)), nil }}
	res, _ := Run(cfg, []string{"x.csv"})
	if n := strings.Count(errb.String(), "[datetime-format]"); n != 3 || res.Invalid != 10 {
		t.Errorf("printed %d, res %+v\n%s", n, res, errb.String())
	}
}

func TestSyntax(t *testing.T) {
	for _, s := range []string{"0", "-1", "1.5", "35.2E-7", "1e10", "0.00000080000"} {
		if _, why := scanDecimal(s); why != "" {
			t.Errorf("%q rejected: %s", s, why)
		}
	}
	for _, s := range []string{"", "-", "1.", ".5", "1e", "1,000", "$5", "5 USD", "1/2", "1-2", "0x10", "NaN"} {
		if _, why := scanDecimal(s); why == "" {
			t.Errorf("%q accepted", s)
		}
	}
	if r, _ := scanDecimal("+1E+7"); !r.plus {
		t.Error("+1E+7 plus not reported")
	}
	for s, f := range map[string]dtForm{jan: dtExact, "2025-01-01": dtDateOnly, "2024-09-18 22:00:00": dtLoose, "2024-02-29T23:59:59.5Z": dtLoose} {
		if _, form, why := parseDateTime(s); why != "" || form != f {
			t.Errorf("%q: %v %s", s, form, why)
		}
	}
	for _, s := range []string{"2025-02-29", "2025-01-01T24:00:00Z", "5/1/25", "2025-01-01T00:00:00+01:00", "2025-01-01X"} {
		if _, _, why := parseDateTime(s); why == "" {
			t.Errorf("%q accepted", s)
		}
	}
	for _, tt := range []int64{0, 86399, 951782400, 4102444800, -86400} {
		s := formatDateTime(tt)
		if got, _, _ := parseDateTime(s); got != tt {
			t.Errorf("round trip %d → %s → %d", tt, s, got)
		}
	}
	if !isISO4217("USD") || !isISO4217("EUR") || isISO4217("usd") || isISO4217("ABC") || isISO4217("US") {
		t.Error("ISO 4217 table")
	}
	for s, want := range map[string]string{`{}`: "", `{"a":1,"pi_email":"x@y"}`: "x@y", `{"pi_email":"a\u0040b"}`: "a@b", `{"pi_\u0065mail":"e"}`: "e"} {
		got := []string{"stale"}
		if why := scanKV(s, []string{"pi_email"}, got); why != "" || got[0] != want {
			t.Errorf("%s: %q %s", s, got, why)
		}
	}
	for _, s := range []string{`[]`, `{"a":[1]}`, `{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `{"a":1}x`, `{"a":01}`, `{"a":"\x"}`, `{"a"}`, `{`, "{\"pi_email\":\"a\xffb\"}", "{\"\xff\":1}"} {
		if why := scanKV(s, []string{"pi_email"}, make([]string, 1)); why == "" {
			t.Errorf("%s accepted", s)
		}
	}
}

func TestServiceSubcategoryParent(t *testing.T) {
	h := "BillingPeriodStart,BilledCost,ServiceName,ServiceCategory,ServiceSubcategory,Tags\n"
	res, _, errs, _ := run(t, Options{}, h+jan+",1,S3,Compute,Object Storage,"+okTags+"\n"+jan+",1,S3,Storage,Object Storage,"+okTags+"\n")
	if res.Valid != 2 || !strings.Contains(errs, `in.csv:2: ServiceSubcategory: warning: "Object Storage" belongs to ServiceCategory "Storage", not "Compute" [service-subcategory]`) ||
		strings.Contains(errs, "in.csv:3: ServiceSub") {
		t.Errorf("%+v\n%s", res, errs)
	}
	if res, _, _, _ = run(t, Options{Strict: true}, h+jan+",1,S3,Compute,Object Storage,"+okTags+"\n"); res.Invalid != 1 {
		t.Errorf("strict: %+v", res)
	}
}

func TestCRLFInputGivesLFOutput(t *testing.T) {
	lf := hdr + row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags) +
		row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "\"HPC\nquoted\"", okTags)
	crlf := "\xEF\xBB\xBF" + strings.ReplaceAll(lf, "\n", "\r\n")
	res, out, errs, _ := run(t, Options{}, crlf)
	if res.Valid != 2 || out != lf {
		t.Errorf("%+v %s\n%q\nwant\n%q", res, errs, out, lf)
	}
}

func TestHugeFieldAndManyTags(t *testing.T) {
	// A 1 MiB description in an x_ column (the default field limit, far
	// past the reader's first buffer) and a Tags object with 200 keys.
	var tags strings.Builder
	tags.WriteString(`"{""pi_email"":""a@uni.edu""`)
	for i := 0; i < 200; i++ {
		tags.WriteString(`,""k` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("y", i/26) + `"":""v""`)
	}
	tags.WriteString(`}"`)
	h := "BillingPeriodStart,BilledCost,ServiceName,Tags,x_Note\n"
	in := h + jan + ",1,HPC," + tags.String() + "," + strings.Repeat("z", 1<<20) + "\n"
	res, out, errs, _ := run(t, Options{}, in)
	if res.Valid != 1 || out != in {
		t.Errorf("%+v %s (out %d bytes, in %d)", res, errs, len(out), len(in))
	}
	// 4 MiB is past the default limit: the row is refused, naming where.
	over := h + jan + ",1,HPC," + tags.String() + "," + strings.Repeat("z", 4<<20) + "\n"
	if res, _, errs, _ := run(t, Options{}, over); res.Invalid != 1 || !strings.Contains(errs, "in.csv:2: x_Note: field longer than 1,048,576 bytes") {
		t.Errorf("a 4 MiB field: %+v %.300s", res, errs)
	}
	// The same key twice among many is still found
	// (past the first 64 keys, where the scanner switches to a map).
	dup := strings.Replace(in, `}",`, `,""ka"":""w""}",`, 1)
	if res, _, errs, _ := run(t, Options{}, dup); res.Invalid != 1 || !strings.Contains(errs, `has the key "ka" twice`) {
		t.Errorf("duplicate key: %+v %s", res, errs)
	}
}

func TestRejectedRowIsAsRead(t *testing.T) {
	// Normalisable deviations plus one error: the reject row keeps the input values.
	in := hdr + row("2025-01-01", "2025-01-31", "2025-01-01", "2025-01-10", "usd", "usage", "Usage-based", "10", "x", "8", "HPC", okTags)
	res, _, _, rej := run(t, Options{}, in)
	if res.Invalid != 1 || !strings.Contains(rej, "\n2025-01-01,2025-01-31,2025-01-01,2025-01-10,usd,usage,Usage-based,10,x,8,HPC,") {
		t.Errorf("%+v\n%s", res, rej)
	}
}

// A row with a conforming value in every column of a version passes --strict
// with that version detected, and formula-looking text is just text.
func TestStrictFullVersions(t *testing.T) {
	for _, v := range focus.Versions {
		var h, r []string
		for _, c := range focus.Columns(v) {
			h = append(h, c.ID)
			val := "x"
			switch {
			case c.ID == "Tags":
				val = `"{""pi_email"":""a@uni.edu""}"`
			case c.ID == "BillingPeriodStart" || c.ID == "ChargePeriodStart":
				val = jan
			case c.ID == "BillingPeriodEnd":
				val = feb
			case c.ID == "ChargePeriodEnd":
				val = jan5
			case c.Currency:
				val = "USD"
			case len(c.Enum) > 0:
				val = c.Enum[0]
			case c.Type == focus.Decimal:
				val = "1.25E-3"
			case c.Format == focus.FormatJSONObject:
				val = jsonObjectSamples[c.ID]
			case c.Type == focus.JSON:
				val = `"{""x_Key"":1}"`
			case c.ID == "ChargeDescription":
				val = `"=HYPERLINK(""http://evil"",""click"")"`
			}
			r = append(r, val)
		}
		in := strings.Join(h, ",") + "\n" + strings.Join(r, ",") + "\n"
		res, out, errs, _ := run(t, Options{Strict: true}, in)
		// FOCUS 1.3 still lists ProviderName and PublisherName, deprecated.
		deprecated := strings.Count(errs, "[column-deprecated]")
		if res.Valid != 1 || res.ExitCode() != 0 || res.Warnings != deprecated || (v == focus.V1_3) != (deprecated == 2) {
			t.Errorf("FOCUS %s: %+v\n%s", v, res, errs)
		}
		if out != in {
			t.Errorf("FOCUS %s: output differs", v)
		}
		// The same file declared as an older version has later columns.
		if v > focus.V1_0 {
			res, _, errs, _ = run(t, Options{Strict: true, Spec: "1.0"}, in)
			if res.ExitCode() != 1 || !strings.Contains(errs, "[column-version]") {
				t.Errorf("FOCUS %s as 1.0: %+v\n%s", v, res, errs)
			}
		}
	}
}

// jsonObjectSamples are conforming values (CSV-quoted) of the JSON Object
// Format columns, from the spec's object examples.
var jsonObjectSamples = map[string]string{
	"AllocatedMethodDetails":              `"{""Elements"":[{""AllocatedRatio"":0.05,""UsageUnit"":""CPU"",""UsageQuantity"":0.5},{""AllocatedRatio"":0.1,""UsageUnit"":""Memory"",""UsageQuantity"":4}]}"`,
	"ContractApplied":                     `"{""Elements"":[{""ContractId"":""12345"",""ContractCommitmentId"":""23456"",""ContractCommitmentAppliedCost"":500000.00},{""ContractId"":""12345"",""ContractCommitmentId"":""34567"",""ContractCommitmentAppliedQuantity"":10000.00,""ContractCommitmentAppliedUnit"":""compute_hours""}]}"`,
	"CommitmentProgramEligibilityDetails": `"{""CommitmentPrograms"":[{""ProgramType"":""FlexibleSpendPlan""},{""ProgramType"":""ResourceReservation""}]}"`,
}

func TestJSONObjectColumns(t *testing.T) {
	h := strings.TrimSuffix(hdr, "\n") + ",AllocatedMethodDetails,ContractApplied\n"
	base := strings.TrimSuffix(row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags), "\n")
	amd, ca := jsonObjectSamples["AllocatedMethodDetails"], jsonObjectSamples["ContractApplied"]
	for _, tc := range []struct {
		name, amd, ca string
		strict        bool
		want          string // "" = valid
	}{
		{"spec examples", amd, ca, false, ""},
		{"spec examples strict", amd, ca, true, ""},
		{"nulls", "", "", true, ""},
		// The false error: a split allocation is not Key-Value Format.
		{"nested is fine", `"{""Elements"":[{""AllocatedRatio"":0.5}],""x_Note"":{""a"":[1]}}"`, "", false, ""},
		{"array", `"[{""AllocatedRatio"":0.5}]"`, "", false, "AllocatedMethodDetails: is not a JSON object (FOCUS JSON Object Format) [json-object-format]"},
		{"no Elements", `"{""x_A"":1}"`, "", false, `AllocatedMethodDetails: has no "Elements" key (the FOCUS schema requires it) [json-object-format]`},
		{"Elements not array", `"{""Elements"":{}}"`, "", false, `has object as the value of "Elements"; the FOCUS schema wants an array [json-object-format]`},
		{"bad JSON", `"{""Elements"":[1,]}"`, "", false, "is not valid JSON"},
		{"dup key", `"{""Elements"":[],""Elements"":[]}"`, "", false, `has the key "Elements" twice`},
		// Default mode checks the top level only; --strict the schema.
		{"ratio > 1 default", `"{""Elements"":[{""AllocatedRatio"":1.5}]}"`, "", false, ""},
		{"ratio > 1 strict", `"{""Elements"":[{""AllocatedRatio"":1.5}]}"`, "", true, "AllocatedMethodDetails: Elements[0].AllocatedRatio: 1.5 is above the maximum 1 (FOCUS JSON schema) [json-object-schema]"},
		{"ratio < 0 strict", `"{""Elements"":[{""AllocatedRatio"":-0.1}]}"`, "", true, "-0.1 is below the minimum 0"},
		{"empty Elements strict", `"{""Elements"":[]}"`, "", true, "Elements: has 0 elements, want at least 1"},
		{"quantity without unit strict", `"{""Elements"":[{""AllocatedRatio"":0.5,""UsageQuantity"":3}]}"`, "", true, "Elements[0]: matches none of: Scenario 1"},
		{"unknown key strict", `"{""Elements"":[{""AllocatedRatio"":0.5,""Foo"":1}]}"`, "", true, `Elements[0]: has the key "Foo", which FOCUS does not define`},
		{"x_ key strict", `"{""Elements"":[{""AllocatedRatio"":0.5,""x_Pool"":""gpu""}]}"`, "", true, ""},
		{"contract no metric strict", "", `"{""Elements"":[{""ContractId"":""1"",""ContractCommitmentId"":""2""}]}"`, true, "At least one metric"},
		{"contract quantity no unit strict", "", `"{""Elements"":[{""ContractId"":""1"",""ContractCommitmentId"":""2"",""ContractCommitmentAppliedQuantity"":5}]}"`, true, "Unit is required if Quantity"},
		{"contract id number strict", "", `"{""Elements"":[{""ContractId"":1,""ContractCommitmentId"":""2"",""ContractCommitmentAppliedCost"":5}]}"`, true, "Elements[0].ContractId: is a number, want string"},
	} {
		in := h + base + "," + tc.amd + "," + tc.ca + "\n"
		res, _, errs, _ := run(t, Options{Strict: tc.strict, StrictProfile: tc.strict, Spec: "1.3"}, in)
		if tc.want == "" {
			if res.Valid != 1 {
				t.Errorf("%s: %+v\n%s", tc.name, res, errs)
			}
			continue
		}
		if res.Invalid != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: want %q\n%+v\n%s", tc.name, tc.want, res, errs)
		}
	}
}

func TestDeprecatedAndRemovedColumns(t *testing.T) {
	h := strings.TrimSuffix(hdr, "\n") + ",ProviderName,ServiceProviderName\n"
	r := strings.TrimSuffix(row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags), "\n") + ",AWS,AWS\n"
	_, _, errs, _ := run(t, Options{Spec: "1.3"}, h+r)
	if !strings.Contains(errs, "ProviderName: warning: deprecated in FOCUS 1.3; use ServiceProviderName and HostProviderName") {
		t.Errorf("1.3: %s", errs)
	}
	res, _, errs, _ := run(t, Options{Spec: "1.4"}, h+r)
	if res.Valid != 1 || !strings.Contains(errs, "ProviderName: warning: removed in FOCUS 1.4 (deprecated in 1.3); use ServiceProviderName and HostProviderName; checked as FOCUS 1.3 [column-removed]") {
		t.Errorf("1.4: %+v %s", res, errs)
	}
	res, _, errs, _ = run(t, Options{Spec: "1.4", Strict: true}, h+r)
	if res.ExitCode() != 1 || !strings.Contains(errs, "ProviderName: removed in FOCUS 1.4") {
		t.Errorf("1.4 strict: %+v %s", res, errs)
	}
}

func TestOtherDatasets(t *testing.T) {
	inv := "InvoiceId,InvoiceDetailId,BillingAccountId,BilledCost,BillingCurrency,InvoiceIssueDate,PaymentDueDate\n" +
		"INV-1,D-1,123,100.00,USD,2025-02-03T00:00:00Z,2025-03-05T00:00:00Z\n"
	res, out, errs, rej := run(t, Options{}, inv)
	want := "in.csv:1: this is a FOCUS 1.4 Invoice Detail dataset; chargeback reads Cost and Usage (check it with --dataset invoice-detail) [dataset]"
	if res.ExitCode() != 1 || res.Read != 0 || out != "" || rej != "" || !strings.Contains(errs, want) {
		t.Errorf("refuse: %+v out %q rej %q\n%s", res, out, rej, errs)
	}
	res, out, errs, _ = run(t, Options{Dataset: "invoice-detail", Strict: true}, inv)
	if res.Valid != 1 || res.ExitCode() != 0 || out != inv {
		t.Errorf("--dataset invoice-detail: %+v\n%s", res, errs)
	}
	bad := strings.Replace(inv, "100.00", "1,00", 1)
	bad = strings.Replace(bad, "INV-1,D-1,123,1,00", `INV-1,D-1,123,"1,00"`, 1)
	res, _, errs, _ = run(t, Options{Dataset: "invoice-detail"}, bad)
	if res.Invalid != 1 || !strings.Contains(errs, "BilledCost") {
		t.Errorf("bad invoice detail: %+v\n%s", res, errs)
	}
	// A Cost and Usage file with --dataset billing-period is refused.
	res, _, errs, _ = run(t, Options{Dataset: "billing-period"}, hdr+row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags))
	if res.ExitCode() != 1 || !strings.Contains(errs, "this is not a FOCUS Billing Period dataset (its header reads as Cost and Usage) [dataset]") {
		t.Errorf("C&U as billing-period: %+v\n%s", res, errs)
	}
	cc := "ContractId,ContractCommitmentId,ContractCommitmentCategory,BillingCurrency\nC1,CC1,Spend,USD\n"
	if res, _, errs, _ := run(t, Options{}, cc); res.ExitCode() != 1 || !strings.Contains(errs, "FOCUS 1.3 Contract Commitment dataset") {
		t.Errorf("contract commitment: %+v\n%s", res, errs)
	}
}
