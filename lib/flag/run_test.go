package flag

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
)

// r is one test row; zero fields take defaults in csvOf.
type r struct {
	period, cat, class, desc, res, resName, svc, sku, qty, unit, list, billed, cps string
	tags                                                                           string
}

const testCols = "BillingPeriodStart,ChargeCategory,ChargeClass,ChargeDescription,ChargePeriodStart,ChargePeriodEnd,ResourceId,ResourceName,ServiceName,SkuId,ConsumedQuantity,ConsumedUnit,ListCost,BilledCost,Tags"

var rowSeq int

func tagsJSON(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + kv[i] + `":"` + kv[i+1] + `"`)
	}
	b.WriteByte('}')
	return b.String()
}

var okTags = tagsJSON("pi_email", "ada@uni.edu", "fund_org", "NSF-ATM-2024", "project_id", "p1")

func csvOf(rows ...r) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(strings.Split(testCols, ","))
	for _, x := range rows {
		rowSeq++
		def := func(v, d string) string {
			if v == "" {
				return d
			}
			if v == "-" {
				return ""
			}
			return v
		}
		w.Write([]string{
			def(x.period, "2025-01-01T00:00:00Z"), def(x.cat, "Usage"), x.class, def(x.desc, "usage"),
			def(x.cps, "2025-01-01T00:00:00Z"), "2025-01-02T00:00:00Z",
			def(x.res, "res-"+strings.Repeat("x", rowSeq%7)+string(rune('a'+rowSeq%26))+string(rune('a'+rowSeq/26%26))),
			def(x.resName, "box"), def(x.svc, "Compute"), def(x.sku, "SKU"), def(x.qty, "1"), def(x.unit, "Hours"),
			def(x.list, "2"), def(x.billed, "1"), def(x.tags, okTags),
		})
	}
	w.Flush()
	return buf.String()
}

// run flags a CSV given as a stream and returns x_Flags per output row.
func run(t *testing.T, cfg Config, in string) ([]string, *Summary) {
	t.Helper()
	if cfg.Keys.PIEmail == "" {
		d := DefaultConfig()
		cfg.Keys = d.Keys
		if cfg.RequireTags == nil {
			cfg.RequireTags = d.RequireTags
		}
		if cfg.OutlierMin.IsZero() {
			cfg.OutlierMin = d.OutlierMin
		}
		if cfg.JumpMin.IsZero() {
			cfg.JumpMin = d.JumpMin
		}
	}
	cfg.TempDir = t.TempDir()
	var out bytes.Buffer
	sum, err := Run(cfg, []Input{{Name: "-", R: strings.NewReader(in)}}, &out)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return readFlags(t, out.String()), sum
}

func readFlags(t *testing.T, out string) []string {
	t.Helper()
	rd, err := focus.NewReader(strings.NewReader(out), "out")
	if err != nil {
		t.Fatalf("read output: %v\n%s", err, out)
	}
	fi := rd.Index(ColumnFlags)
	if fi < 0 {
		t.Fatalf("no x_Flags column in %q", rd.Header())
	}
	var flags []string
	for {
		row, err := rd.Read()
		if err == io.EOF {
			return flags
		}
		if err != nil {
			t.Fatalf("read output: %v", err)
		}
		flags = append(flags, row.Values[fi])
	}
}

func expect(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows %q, want %d %q", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: x_Flags = %q, want %q", i+1, got[i], want[i])
		}
	}
}

func TestMissingTag(t *testing.T) {
	in := csvOf(
		r{},
		r{tags: tagsJSON("fund_org", "NSF-ATM-2024")},
		r{tags: tagsJSON("pi_email", " ", "fund_org", "NSF-ATM-2024")},
		r{tags: "-"},
	)
	got, _ := run(t, Config{}, in)
	expect(t, got, "", "missing-tag:pi_email", "missing-tag:pi_email", "missing-tag:pi_email")

	cfg := DefaultConfig()
	cfg.RequireTags = []string{"pi_email", "fund_org", "project_id"}
	got, sum := run(t, cfg, in)
	expect(t, got, "", "missing-tag:pi_email;missing-tag:project_id",
		"missing-tag:pi_email;missing-tag:project_id",
		"missing-tag:pi_email;missing-tag:fund_org;missing-tag:project_id")
	if sum.Flagged != 3 || sum.Codes[0] != (CodeCount{"missing-tag:pi_email", 3}) {
		t.Errorf("summary = %+v", sum)
	}
}

func TestMissingTagRenamed(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Keys.PIEmail = "owner"
	cfg.RequireTags = []string{"pi_email", "grant_number"}
	in := csvOf(
		r{tags: tagsJSON("owner", "ada@uni.edu", "grant_number", "G1")},
		r{tags: tagsJSON("pi_email", "ada@uni.edu")},
		r{tags: tagsJSON("owner", "not-an-address", "grant_number", "G1")},
	)
	got, _ := run(t, cfg, in)
	expect(t, got, "", "missing-tag:owner;missing-tag:grant_number", "bad-email")
}

func TestRequireTagsKeyChecked(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RequireTags = []string{"a;b"}
	if _, err := Run(cfg, nil, io.Discard); err == nil {
		t.Error("a tag key with ';' was accepted")
	}
}

func TestBadTags(t *testing.T) {
	got, _ := run(t, Config{}, csvOf(r{tags: `{"pi_email":`}, r{tags: `{"pi_email":"a@b.edu","x":[1]}`}))
	expect(t, got, "missing-tag:pi_email;bad-tags", "missing-tag:pi_email;bad-tags")
}

func TestBadEmail(t *testing.T) {
	in := csvOf(
		r{tags: tagsJSON("pi_email", "k.johnson@@uni")},
		r{tags: tagsJSON("pi_email", "Ada <ada@uni.edu>")},
		r{tags: tagsJSON("pi_email", "ada@uni")},
		r{tags: `{"pi_email":"ada@uni.edu\r\nBcc: all@uni.edu"}`},
		r{tags: tagsJSON("pi_email", "ada.lovelace@uni.edu")},
	)
	got, _ := run(t, Config{}, in)
	expect(t, got, "bad-email", "bad-email", "bad-email", "bad-email", "")
}

func TestNegativeCost(t *testing.T) {
	in := csvOf(
		r{billed: "-5", list: "-5"},
		r{billed: "-2.50", list: "-2.50", cat: "Credit"},
		r{billed: "-1", list: "-1", class: "Correction"},
		r{billed: "-3", list: "-3", desc: "Refund for outage"},
		r{billed: "-3", list: "-3", cat: "Adjustment"},
		r{billed: "0", list: "0"},
	)
	got, _ := run(t, Config{}, in)
	expect(t, got, "negative-cost", "", "", "", "", "")
}

func TestBilledOverListAndNoListPrice(t *testing.T) {
	in := csvOf(
		r{billed: "10", list: "8"},
		r{billed: "8", list: "10"},
		r{billed: "10.00", list: "10"},
		r{billed: "5", list: "-"},
		r{billed: "5", list: "0"},
		r{billed: "0", list: "-"},
		r{billed: "0", list: "0"},
		r{billed: "x", list: "1"},
	)
	got, _ := run(t, Config{}, in)
	expect(t, got, "billed-over-list", "", "", "no-list-price", "billed-over-list;no-list-price", "", "", "bad-amount")
}

func TestNoListCostColumn(t *testing.T) {
	in := "BillingPeriodStart,ServiceName,BilledCost,Tags\n" +
		`2025-01-01,HPC,5,"{""pi_email"":""ada@uni.edu""}"` + "\n" +
		`2025-01-01,HPC,0,"{""pi_email"":""ada@uni.edu""}"` + "\n"
	got, _ := run(t, Config{}, in)
	expect(t, got, "no-list-price", "")
}

func TestDuplicate(t *testing.T) {
	a := r{res: "vm-1", billed: "1.5", list: "2"}
	b := r{res: "vm-1", billed: "1.6", list: "2"}
	otherPI := r{res: "vm-1", billed: "1.5", list: "2", tags: tagsJSON("pi_email", "bob@uni.edu")}
	otherDay := r{res: "vm-1", billed: "1.5", list: "2", cps: "2025-01-05T00:00:00Z"}
	got, sum := run(t, Config{}, csvOf(a, b, a, otherPI, a, otherDay))
	expect(t, got, "", "", "duplicate", "", "duplicate", "")
	if sum.Flagged != 2 {
		t.Errorf("flagged = %d", sum.Flagged)
	}
}

// gpuRows are n clean HPC GPU rows at 2.50 list a GPU-hour, one PI each.
func gpuRows(n int) []r {
	var rows []r
	for i := 0; i < n; i++ {
		q := 10 + i
		rows = append(rows, r{svc: "HPC GPU", unit: "GPU-Hours", qty: itoa(q), list: itoa(q*5/2) + ".00",
			billed: "0", tags: tagsJSON("pi_email", "pi"+itoa(i)+"@uni.edu")})
	}
	return rows
}

func itoa(i int) string { return decimal.NewFromInt(int64(i)).String() }

func TestOutlierUnitCost(t *testing.T) {
	rows := gpuRows(8)
	rows = append(rows,
		r{svc: "HPC GPU", unit: "GPU-Hours", qty: "10", list: "250", billed: "0"},     // 25.00 an hour: ×10
		r{svc: "HPC GPU", unit: "GPU-Hours", qty: "0.1", list: "2.5", billed: "0"},    // same ratio, but under --outlier-min
		r{svc: "HPC GPU", unit: "GPU-Hours", qty: "10", list: "26.00", billed: "0"},   // 2.60: rounding-level, not an outlier
		r{svc: "Other", unit: "GPU-Hours", qty: "10", list: "250", billed: "0"},       // a group of one: no statistic
		r{svc: "HPC GPU", unit: "GPU-Hours", qty: "1000", list: "250", billed: "250"}, // 0.25 an hour: ×1/10
	)
	got, _ := run(t, Config{}, csvOf(rows...))
	want := make([]string, len(rows))
	want[8], want[12] = "outlier", "outlier"
	expect(t, got, want...)
}

func TestOutlierPITotal(t *testing.T) {
	// The planted case of the bundled data: 42,000 GPU-hours at the usual
	// price for one PI. The unit cost is normal; her total is not. Only her
	// largest row is marked; her other rows and everyone else stay clean.
	rows := gpuRows(9)
	emmy := tagsJSON("pi_email", "emmy@uni.edu")
	rows = append(rows,
		r{svc: "HPC GPU", unit: "GPU-Hours", qty: "12", list: "30.00", billed: "0", tags: emmy},
		r{svc: "HPC GPU", unit: "GPU-Hours", qty: "42000", list: "105000", billed: "0", tags: emmy},
		r{svc: "HPC GPU", unit: "GPU-Hours", qty: "11", list: "27.50", billed: "0", tags: emmy},
	)
	got, sum := run(t, Config{}, csvOf(rows...))
	want := make([]string, len(rows))
	want[10] = "outlier"
	expect(t, got, want...)
	if len(sum.TopPIs) != 1 || sum.TopPIs[0].PI != "emmy@uni.edu" {
		t.Errorf("top PIs = %+v", sum.TopPIs)
	}

	// Uniform usage: no outlier.
	got, _ = run(t, Config{}, csvOf(gpuRows(12)...))
	expect(t, got, make([]string, 12)...)
}

func TestJump(t *testing.T) {
	base := strings.Join([]string{
		`{"statement_id":"2024-12-0001","period":"2024-12","pi":{"email":"a@uni.edu"},"lines":[{"service":"HPC GPU","list_cost":"100.00","billed_cost":"100.00"}]}`,
		`{"pi":{"email":"B@uni.edu"},"lines":[{"service":"HPC GPU","list_cost":"100.00","billed_cost":"100.00"}]}`,
		`{"pi":{"email":"c@uni.edu"},"lines":[{"service":"HPC GPU","list_cost":"10.00","billed_cost":"10.00"}]}`,
		`{"pi":{"email":"e@uni.edu"},"lines":[{"service":"HPC GPU","list_cost":"1000.00","billed_cost":"0.00"}]}`,
	}, "\n")
	b, err := LoadBaseline(strings.NewReader(base), "base.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Baseline = b
	pi := func(e string) string { return tagsJSON("pi_email", e) }
	gpu := func(e, amt string) r {
		return r{svc: "HPC GPU", unit: "GPU-Hours", qty: "1", list: amt, billed: amt, tags: pi(e)}
	}
	in := csvOf(
		gpu("a@uni.edu", "200"), gpu("a@uni.edu", "300"), // 500 against 100: jump, on the 300 row
		gpu("b@uni.edu", "250"), // ×2.5
		gpu("c@uni.edu", "45"),  // ×4.5 but +35
		gpu("d@uni.edu", "900"), // not in the baseline: new PI
		r{svc: "Cloud", qty: "1", list: "150", billed: "150", tags: pi("a@uni.edu")},                     // new service for a known PI
		r{svc: "HPC GPU", unit: "GPU-Hours", qty: "1", list: "4000", billed: "0", tags: pi("e@uni.edu")}, // list ×4 while billed stays 0
	)
	got, _ := run(t, cfg, in)
	expect(t, got, "", "jump", "", "", "", "jump", "jump")

	if _, err := LoadBaseline(strings.NewReader("{not json"), "bad.ndjson"); err == nil || !strings.Contains(err.Error(), "bad.ndjson:1") {
		t.Errorf("bad baseline error = %v", err)
	}
}

func TestPeriodMismatch(t *testing.T) {
	in := csvOf(r{}, r{period: "2025-01-01"}, r{}, r{period: "2025-02-01T00:00:00Z"}, r{period: "-"}, r{period: "Jan 2025"})
	got, sum := run(t, Config{}, in)
	expect(t, got, "", "", "", "period-mismatch", "", "period-mismatch")
	if sum.Period != "2025-01" {
		t.Errorf("period = %q", sum.Period)
	}
	cfg := DefaultConfig()
	cfg.Period = "2025-02"
	got, _ = run(t, cfg, in)
	expect(t, got, "period-mismatch", "period-mismatch", "period-mismatch", "", "", "period-mismatch")
	cfg.Period = "2024-06"
	got, _ = run(t, cfg, csvOf(r{}))
	expect(t, got, "period-mismatch")
}

func TestBadFund(t *testing.T) {
	pats, err := CompileFundPatterns([]string{`NSF-[A-Z]+-\d{4}`, `NIH-.*`})
	if err != nil {
		t.Fatal(err)
	}
	f := func(fund string) r { return r{tags: tagsJSON("pi_email", "a@uni.edu", "fund_org", fund)} }
	in := csvOf(f("NSF-ATM-2024"), f("nsf-atm-2024"), f("XNSF-ATM-2024"), f("NIH-GM"), r{tags: tagsJSON("pi_email", "a@uni.edu")})
	cfg := DefaultConfig()
	cfg.FundPatterns = pats
	got, _ := run(t, cfg, in)
	expect(t, got, "", "bad-fund", "bad-fund", "", "")
	got, _ = run(t, Config{}, in) // no patterns, no check
	expect(t, got, "", "", "", "", "")
	if _, err := CompileFundPatterns([]string{"("}); err == nil {
		t.Error("bad regex accepted")
	}
}

func TestWatch(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Watch = []*regexp.Regexp{regexp.MustCompile(`(?i)gpu`), regexp.MustCompile(`^ml-`)}
	in := csvOf(r{svc: "HPC GPU"}, r{resName: "untagged-gpu-box"}, r{resName: "ml-notebook"}, r{resName: "xml-feed"}, r{})
	got, _ := run(t, cfg, in)
	expect(t, got, "watch", "watch", "watch", "", "")
}

func TestExistingFlagsColumn(t *testing.T) {
	in := "x_Flags,BillingPeriodStart,ServiceName,ListCost,BilledCost,Tags\n" +
		`site-hold;duplicate,2025-01-01,HPC,2,1,"{""pi_email"":""ada@uni.edu""}"` + "\n" +
		`missing-tag:pi_email,2025-01-01,HPC,2,3,"{}"` + "\n"
	var out bytes.Buffer
	cfg := DefaultConfig()
	cfg.TempDir = t.TempDir()
	if _, err := Run(cfg, []Input{{Name: "-", R: strings.NewReader(in)}}, &out); err != nil {
		t.Fatal(err)
	}
	want := "x_Flags,BillingPeriodStart,ServiceName,ListCost,BilledCost,Tags\n" +
		`site-hold,2025-01-01,HPC,2,1,"{""pi_email"":""ada@uni.edu""}"` + "\n" +
		`missing-tag:pi_email;billed-over-list,2025-01-01,HPC,2,3,{}` + "\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestOnlyFlaggedAndFormats(t *testing.T) {
	in := csvOf(r{}, r{billed: "-1", list: "-1"}, r{})
	cfg := DefaultConfig()
	cfg.OnlyFlagged = true
	nd := focus.NDJSON
	cfg.Out = &nd
	cfg.TempDir = t.TempDir()
	var out bytes.Buffer
	sum, err := Run(cfg, []Input{{Name: "-", R: strings.NewReader(in)}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"x_Flags":"negative-cost"`) || !strings.Contains(lines[0], `"Tags":{"pi_email"`) {
		t.Errorf("output = %q", out.String())
	}
	if sum.Rows != 3 || sum.Flagged != 1 {
		t.Errorf("summary = %+v", sum)
	}

	// NDJSON in, NDJSON out (default: as the input); clean rows carry null.
	cfg.OnlyFlagged, cfg.Out = false, nil
	ndIn := out.String() + strings.Replace(lines[0], `"ListCost":"-1","BilledCost":"-1"`, `"ListCost":"2","BilledCost":"1"`, 1) + "\n"
	out.Reset()
	if _, err := Run(cfg, []Input{{Name: "-", R: strings.NewReader(ndIn)}}, &out); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(got) != 2 || !strings.Contains(got[0], `"x_Flags":"negative-cost"`) || !strings.Contains(got[1], `"x_Flags":null`) {
		t.Errorf("ndjson output = %q", out.String())
	}
}

// The fast path (raw CSV records) and the parsed path must agree, also on
// quoted newlines, CRLF, a BOM, blank lines and formula cells.
func TestFastPathMatchesParsed(t *testing.T) {
	in := "\xEF\xBB\xBF" + "BillingPeriodStart,ChargeDescription,ServiceName,ListCost,BilledCost,Tags\r\n" +
		"2025-01-01,\"two\r\nlines, \"\"quoted\"\"\",HPC,2,3,\"{\"\"pi_email\"\":\"\"ada@uni.edu\"\"}\"\r\n" +
		"\r\n" +
		"2025-01-01,\"=HYPERLINK(\"\"x\"\")\",HPC,2,1,\"{\"\"pi_email\"\":\"\"ada@uni.edu\"\"}\"\r\n" +
		"2025-01-01,,HPC,2,1,{}"
	dir := t.TempDir()
	p := filepath.Join(dir, "in.csv")
	os.WriteFile(p, []byte(in), 0o644)
	cfg := DefaultConfig()
	cfg.TempDir = dir
	var fast, parsed bytes.Buffer
	if _, err := Run(cfg, []Input{{Name: p, Path: p}}, &fast); err != nil {
		t.Fatal(err)
	}
	csvOut := focus.CSV
	cfg.Out = &csvOut
	// Two inputs with different headers take the parsed path (union of columns).
	p2 := filepath.Join(dir, "in2.csv")
	os.WriteFile(p2, []byte("ServiceName,BilledCost,Extra\nHPC,0,x\n"), 0o644)
	if _, err := Run(cfg, []Input{{Name: p, Path: p}, {Name: p2, Path: p2}}, &parsed); err != nil {
		t.Fatal(err)
	}
	fastRows := readAll(t, fast.String())
	parsedRows := readAll(t, parsed.String())
	if len(fastRows) != 4 || len(parsedRows) != 5 {
		t.Fatalf("rows: fast %d, parsed %d", len(fastRows), len(parsedRows))
	}
	for i, row := range fastRows {
		want := append(append([]string(nil), parsedRows[i][:6]...), parsedRows[i][7])
		if strings.Join(row, "|") != strings.Join(want, "|") {
			t.Errorf("row %d:\nfast   %q\nparsed %q", i, row, want)
		}
	}
	if got := fastRows[1][1]; got != "two\nlines, \"quoted\"" {
		t.Errorf("quoted field = %q", got)
	}
	if got := fastRows[1][6]; got != "billed-over-list" {
		t.Errorf("flags = %q", got)
	}
	if got := parsedRows[4]; got[6] != "x" || got[7] != "missing-tag:pi_email" {
		t.Errorf("union row = %q", got)
	}
}

func readAll(t *testing.T, s string) [][]string {
	t.Helper()
	rd, err := focus.NewReader(strings.NewReader(s), "out")
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{rd.Header()}
	for {
		row, err := rd.Read()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, append([]string(nil), row.Values...))
	}
}

func TestParseErrorStops(t *testing.T) {
	cfg := DefaultConfig()
	cfg.TempDir = t.TempDir()
	_, err := Run(cfg, []Input{{Name: "bad.csv", R: strings.NewReader("ServiceName,BilledCost\nHPC,1,extra\n")}}, io.Discard)
	var pe *focus.ParseError
	if !asParseError(err, &pe) || pe.Line != 2 {
		t.Errorf("err = %v", err)
	}
	// Nothing left behind in the spool directory.
	if ents, _ := os.ReadDir(cfg.TempDir); len(ents) != 0 {
		t.Errorf("spool files left: %v", ents)
	}
}

func asParseError(err error, pe **focus.ParseError) bool {
	p, ok := err.(*focus.ParseError)
	if ok {
		*pe = p
	}
	return ok
}

func TestEmptyInput(t *testing.T) {
	cfg := DefaultConfig()
	cfg.TempDir = t.TempDir()
	var out bytes.Buffer
	sum, err := Run(cfg, []Input{{Name: "-", R: strings.NewReader("")}}, &out)
	if err != nil || sum.Rows != 0 || out.Len() != 0 {
		t.Errorf("empty input: %v, %+v, %q", err, sum, out.String())
	}
}

// One service and unit, many prices: unit costs are compared per SKU, so a
// large instance type is not an outlier among small ones.
func TestOutlierUnitCostPerSKU(t *testing.T) {
	var rows []r
	for i := 0; i < 10; i++ {
		rows = append(rows, r{svc: "Amazon EC2", unit: "Hours", sku: "t3.small", qty: itoa(500 + i), list: itoa((500+i)/50) + ".00", billed: "1"})
	}
	rows = append(rows,
		r{svc: "Amazon EC2", unit: "Hours", sku: "p4d.24xlarge", qty: "10", list: "327.70", billed: "300"},
		r{svc: "Amazon EC2", unit: "Hours", sku: "p4d.24xlarge", qty: "20", list: "655.40", billed: "600"},
	)
	got, _ := run(t, Config{}, csvOf(rows...))
	expect(t, got, make([]string, len(rows))...)

	// The same rows without SkuId are one price list: the p4d rows stand out.
	for i := range rows {
		rows[i].sku = "-"
	}
	got, _ = run(t, Config{}, csvOf(rows...))
	want := make([]string, len(rows))
	want[10], want[11] = "outlier", "outlier"
	expect(t, got, want...)
}

// NDJSON in and out copies each object and appends x_Flags: blank lines,
// CRLF, JSON numbers, rows with fewer keys and an empty object all survive.
func TestNDJSONRaw(t *testing.T) {
	in := "\xEF\xBB\xBF\r\n" +
		`{"ServiceName":"HPC","BilledCost":-1,"ListCost":"2","Tags":{"pi_email":"ada@uni.edu"},"x_Note":"a \"q\" }"}` + "\r\n" +
		"\r\n" +
		`  {"ServiceName":"HPC","BilledCost":"1"}  ` + "\n" +
		"{}\n"
	cfg := DefaultConfig()
	cfg.TempDir = t.TempDir()
	var out bytes.Buffer
	if _, err := Run(cfg, []Input{{Name: "-", R: strings.NewReader(in)}}, &out); err != nil {
		t.Fatal(err)
	}
	want := `{"ServiceName":"HPC","BilledCost":-1,"ListCost":"2","Tags":{"pi_email":"ada@uni.edu"},"x_Note":"a \"q\" }","x_Flags":"negative-cost"}` + "\n" +
		`{"ServiceName":"HPC","BilledCost":"1","x_Flags":"missing-tag:pi_email;no-list-price"}` + "\n" +
		`{"x_Flags":"missing-tag:pi_email"}` + "\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	// And it reads back as the same rows.
	rows := readAll(t, out.String())
	if len(rows) != 4 || rows[1][4] != `a "q" }` || rows[3][0] != "" {
		t.Errorf("read back: %q", rows)
	}
}

func TestExplain(t *testing.T) {
	rows := gpuRows(9)
	emmy := tagsJSON("pi_email", "emmy@uni.edu")
	rows = append(rows,
		r{svc: "HPC GPU", unit: "GPU-Hours", qty: "42000", list: "105000", billed: "0", tags: emmy},
		r{svc: "HPC GPU", unit: "GPU-Hours", qty: "10", list: "250", billed: "0"}, // 25.00 an hour
		r{res: "vm-9", billed: "-3", list: "x", period: "2024-12-01", tags: tagsJSON("pi_email", "a@@b")},
		r{res: "vm-9", billed: "-3", list: "x", period: "2024-12-01", tags: tagsJSON("pi_email", "a@@b")},
	)
	cfg := DefaultConfig()
	cfg.RequireTags = []string{"pi_email", "fund_org"}
	cfg.TempDir = t.TempDir()
	var out, why bytes.Buffer
	cfg.Explain = &why
	cfg.OnlyFlagged = true
	if _, err := Run(cfg, []Input{{Name: "-", R: strings.NewReader(csvOf(rows...))}}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<stdin>:2: Tags: no \"fund_org\" tag [missing-tag:fund_org]\n",
		"<stdin>:11: ConsumedQuantity: emmy@uni.edu's total for HPC GPU (GPU-Hours) is 105000.00, ",
		"the median PI total ",
		"; this is the largest row [outlier]\n",
		"<stdin>:12: ConsumedQuantity: unit cost 25 is 10× the usual 2.5 for its service, unit and SKU (robust z ",
		"<stdin>:13: Tags: pi_email \"a@@b\" is not a bare e-mail address [bad-email]\n",
		"<stdin>:13: ListCost: \"x\" is not a number [bad-amount]\n",
		"<stdin>:14: ResourceId: the same charge as <stdin>:13 [duplicate]\n",
		"<stdin>:14: BillingPeriodStart: 2024-12 is not the month most rows carry, 2025-01 [period-mismatch]\n",
	} {
		if !strings.Contains(why.String(), want) {
			t.Errorf("explanations lack %q:\n%s", want, why.String())
		}
	}
	// Every flag of every written row is explained (an outlier can have
	// two reasons: its unit cost and its PI's total).
	codes := 0
	for _, f := range readFlags(t, out.String()) {
		codes += len(SplitFlags(f))
	}
	pairs := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(why.String()), "\n") {
		loc, _, _ := strings.Cut(l, ": ")
		pairs[loc+" "+l[strings.LastIndex(l, "["):]] = true
	}
	if len(pairs) != codes {
		t.Errorf("%d explained (row, code) pairs for %d codes:\n%s", len(pairs), codes, why.String())
	}
}
