package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
)

func m(s string) money.Money { return money.Cents(decimal.RequireFromString(s)) }

// sample is Ada's fully subsidized month: list 2,400.00, discount
// −2,400.00, due 0.00, plus a partly discounted cloud line.
func sample(status string) *statement.Statement {
	st := &statement.Statement{
		StatementID: "2025-01-00482913", Period: "2025-01", Status: status, Currency: "USD",
		PI:      statement.Person{Email: "ada@uni.edu", Name: "Ada Lovelace"},
		FundOrg: "NSF-ATM-2024",
		Lines: []statement.Line{
			{Source: "HPC", Service: "HPC Compute", ProjectID: "climate-modeling", FundOrg: "NSF-ATM-2024", Quantity: "1200", Unit: "Core-Hours",
				ListCost: m("2400"), Discount: m("-2400"), BilledCost: m("0")},
			{Source: "AWS", Service: "Amazon EC2", ProjectID: "ocean", FundOrg: "NSF-ATM-2024",
				ListCost: m("1234.56"), Discount: m("-234.56"), BilledCost: m("1000")},
		},
		Adjustments: []statement.Adjustment{{Amount: m("-10"), Reason: "node outage credit"}},
		Notes:       []string{"Project ocean: end date 2025-03-01 is 29 days after the end of this period."},
	}
	st.Totals = statement.Totals{ListCost: m("3634.56"), Discount: m("-2634.56"), BilledCost: m("1000"), Adjustments: m("-10"), AmountDue: m("990")}
	if status == statement.StatusFinal {
		st.FinalizedAt = "2025-02-03T19:05:06Z"
	}
	return st
}

func renderer(t testing.TB) *Renderer {
	r, err := NewRenderer(Institution{Name: "Example University Research Computing", Address: "1 Campus Drive; Springfield, ST 00000", Contact: "rc-billing@example.edu"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func pdftotext(t *testing.T, b []byte, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	f := filepath.Join(dir, "s.pdf")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", append(args, f, "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// ada is DESIGN.md's example: HPC fully subsidized.
func ada(status string) *statement.Statement {
	st := &statement.Statement{
		StatementID: "2025-01-00482913", Period: "2025-01", Status: status, Currency: "USD",
		PI:      statement.Person{Email: "ada@uni.edu", Name: "Ada Lovelace"},
		FundOrg: "NSF-ATM-2024", ProjectID: "climate-modeling",
		Lines: []statement.Line{{Source: "HPC", Service: "HPC Compute", ProjectID: "climate-modeling", FundOrg: "NSF-ATM-2024",
			Quantity: "1200", Unit: "Core-Hours", ListCost: m("2400"), Discount: m("-2400"), BilledCost: m("0")}},
		Adjustments: []statement.Adjustment{},
		Totals:      statement.Totals{ListCost: m("2400"), Discount: m("-2400"), BilledCost: m("0"), Adjustments: m("0"), AmountDue: m("0")},
	}
	if status == statement.StatusFinal {
		st.FinalizedAt = "2025-02-03T19:05:06Z"
	}
	return st
}

func render(t *testing.T, st *statement.Statement, hist []ledger.MonthTotal) []byte {
	t.Helper()
	b, err := renderer(t).Statement(st, hist)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) >= 30*1024 {
		t.Errorf("PDF is %d bytes, want < 30 KiB", len(b))
	}
	return b
}

// flat is the PDF's text with whitespace runs collapsed, so sentences are
// found whatever pdftotext's line breaking.
func flat(t *testing.T, b []byte) string {
	return strings.Join(strings.Fields(pdftotext(t, b)), " ")
}

func TestFiguresAndSentence(t *testing.T) {
	txt := flat(t, render(t, ada(statement.StatusFinal), nil))
	for _, want := range []string{
		"Example University Research Computing", "1 Campus Drive", "rc-billing@example.edu",
		"2025-01-00482913", "January 2025", "Ada Lovelace", "ada@uni.edu", "NSF-ATM-2024", "climate-modeling",
		"List price", "Discount", "Amount due", "$2,400.00", "−$2,400.00", "$0.00",
		"2,400.00", "-2,400.00", "Subtotal climate-modeling",
		"Your institution covered $2,400.00 (100.0%) of the list price of the services you used.",
		"HPC Compute", "1,200 Core-Hours",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, txt)
		}
	}
}

func TestDraftWatermark(t *testing.T) {
	b := render(t, ada(statement.StatusDraft), nil)
	draft := pdftotext(t, b)
	if !strings.Contains(draft, "Status: DRAFT") || !strings.Contains(draft, "DRAFT: figures may change") {
		t.Errorf("draft: no DRAFT status and footer:\n%s", draft)
	}
	if got := watermark(t, b); got != "ADFRT" {
		t.Errorf("draft watermark letters %q, want DRAFT", got)
	}
	fb := render(t, ada(statement.StatusFinal), nil)
	if got := watermark(t, fb); got != "" {
		t.Errorf("final statement has a watermark %q", got)
	}
	final := pdftotext(t, fb)
	if strings.Contains(strings.ToUpper(final), "DRAFT") {
		t.Errorf("final statement mentions DRAFT:\n%s", final)
	}
	if !strings.Contains(final, "finalized 2025-02-03 19:05 UTC") {
		t.Errorf("final statement lacks its finalize time:\n%s", final)
	}
}

func TestHonestPercentAndZeroList(t *testing.T) {
	st := ada(statement.StatusFinal)
	st.Lines[0].ListCost, st.Lines[0].BilledCost, st.Lines[0].Discount = m("1000"), m("0.50"), m("-999.50")
	st.Totals = statement.Totals{ListCost: m("1000"), Discount: m("-999.50"), BilledCost: m("0.50"), AmountDue: m("0.50")}
	txt := flat(t, render(t, st, nil))
	if !strings.Contains(txt, "covered $999.50 (99.9%)") || strings.Contains(txt, "100%") {
		t.Errorf("99.95%% covered must read 99.9%%:\n%s", txt)
	}
	st.Lines = nil
	st.Totals = statement.Totals{Adjustments: m("12.50"), AmountDue: m("12.50")}
	st.Adjustments = []statement.Adjustment{{Amount: m("12.50"), Reason: "software license"}}
	txt = flat(t, render(t, st, nil))
	for _, want := range []string{"No list-priced services were used in this period.", "No usage was charged in this period.", "software license", "$12.50"} {
		if !strings.Contains(txt, want) {
			t.Errorf("adjustment-only statement lacks %q:\n%s", want, txt)
		}
	}
}

type word struct {
	x0, y0, x1, y1 float64
	page           int
	text           string
}

var wordRe = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// words returns pdftotext's word boxes.
func words(t *testing.T, b []byte) []word {
	html := pdftotext(t, b, "-bbox")
	var out []word
	page := 0
	for _, l := range strings.Split(html, "\n") {
		if strings.Contains(l, "<page ") {
			page++
		}
		if mm := wordRe.FindStringSubmatch(l); mm != nil {
			f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
			out = append(out, word{f(mm[1]), f(mm[2]), f(mm[3]), f(mm[4]), page, mm[5]})
		}
	}
	return out
}

func TestLongTextNeverOverlaps(t *testing.T) {
	st := sample(statement.StatusFinal)
	long := "principal.investigator.with.a.very.long.name@department-of-atmospheric-and-oceanic-sciences.example-university.edu"
	st.PI = statement.Person{Email: long, Name: "Dr. Maximiliana Alexandrovna Featherstonehaugh-Cholmondeley-Worthington III"}
	st.FundOrg = "NSF-ATM-2024-SUPPLEMENTAL-FUNDING-ORGANIZATION-CODE-0000000001"
	for i := range st.Lines {
		st.Lines[i].ProjectID = "an-extraordinarily-long-project-identifier-for-climate-modeling-" + strconv.Itoa(i)
		st.Lines[i].FundOrg = st.FundOrg
		st.Lines[i].Service = "Amazon Elastic Compute Cloud with a very long marketing name indeed"
		st.Lines[i].ListCost = m("123456789.12")
	}
	st.Totals.ListCost = m("246913578.24")
	st.Adjustments[0].Reason = strings.Repeat("a long reason that must wrap ", 8)
	pb := render(t, st, nil)
	if os.Getenv("KEEP_PDF") != "" {
		os.WriteFile(os.Getenv("KEEP_PDF"), pb, 0o644)
	}
	ws := words(t, pb)
	if len(ws) < 50 {
		t.Fatalf("only %d words extracted", len(ws))
	}
	all := ""
	for _, w := range ws {
		all += w.text + " "
		if w.x0 < margin-1 || w.x1 > pageW-margin+1 || w.y1 > pageH {
			t.Errorf("word %q at x %.1f–%.1f y %.1f leaves the page margins", w.text, w.x0, w.x1, w.y1)
		}
	}
	for i := range ws {
		for j := i + 1; j < len(ws); j++ {
			a, b := ws[i], ws[j]
			if a.page != b.page {
				continue
			}
			ox := min(a.x1, b.x1) - max(a.x0, b.x0)
			oy := min(a.y1, b.y1) - max(a.y0, b.y0)
			if ox > 0.5 && oy > 0.5 {
				t.Errorf("words overlap: %q (%.1f,%.1f–%.1f,%.1f) and %q (%.1f,%.1f–%.1f,%.1f)",
					a.text, a.x0, a.y0, a.x1, a.y1, b.text, b.x0, b.y0, b.x1, b.y1)
			}
		}
	}
	// Large amounts keep every digit.
	for _, want := range []string{"123,456,789.12", "246,913,578.24"} {
		if !strings.Contains(all, want) {
			t.Errorf("text lacks %q: %s", want, all)
		}
	}
	// Nothing is cut off: every long value is whole, wrapped over lines.
	wholeValues(t, pb, long, st.PI.Name, st.FundOrg, st.Lines[0].ProjectID, st.Lines[1].ProjectID, st.Lines[0].Service,
		"Subtotal "+st.Lines[1].ProjectID, strings.TrimSpace(st.Adjustments[0].Reason))
}

// wholeValues checks that each value appears whole in the PDF's text (in
// content-stream order, whitespace removed: a wrapped value is still one
// run of characters) and that nothing was cut with an ellipsis.
func wholeValues(t *testing.T, b []byte, values ...string) {
	t.Helper()
	raw := pdftotext(t, b, "-raw")
	squeezed := strings.Join(strings.Fields(raw), "")
	for _, v := range values {
		if !strings.Contains(squeezed, strings.Join(strings.Fields(v), "")) {
			t.Errorf("value cut or split: %q\n%s", v, raw)
		}
	}
	if strings.Contains(raw, "…") {
		t.Errorf("text truncated with an ellipsis:\n%s", raw)
	}
}

// TestLongValuesWrapInCells: the values seen cut in the field ("5,944.24
// Core-Ho…", "DOE-ASCR-2…") wrap within their cell on statements and per-
// project statements, with columns sized to their content.
func TestLongValuesWrapInCells(t *testing.T) {
	st := sample(statement.StatusFinal)
	st.ProjectID = "exascale-turbulence-simulation-campaign-2025-allocation"
	st.FundOrg = "DOE-ASCR-2025-SC0012345-SUPPLEMENT-B"
	for i := range st.Lines {
		st.Lines[i].ProjectID = st.ProjectID
		st.Lines[i].FundOrg = st.FundOrg
		st.Lines[i].Quantity = "5944.24"
		st.Lines[i].Unit = "Core-Hours (normalised to Intel Xeon Platinum 8380 equivalents)"
	}
	st.Lines[1].Service = "Amazon Elastic Compute Cloud - GPU instances (p4d.24xlarge, reserved)"
	for _, hist := range [][]ledger.MonthTotal{nil, {{Period: "2025-01", ListCost: decimal.NewFromInt(3634), BilledCost: decimal.NewFromInt(1000)}}} {
		b := render(t, st, hist)
		wholeValues(t, b, st.ProjectID, st.FundOrg, "5,944.24 "+st.Lines[0].Unit, "AWS · "+st.Lines[1].Service, "Subtotal "+st.ProjectID)
		if os.Getenv("KEEP_PDF") != "" {
			os.WriteFile(os.Getenv("KEEP_PDF"), b, 0o644)
		}
	}
}

func TestHostileText(t *testing.T) {
	st := ada(statement.StatusFinal)
	st.PI.Name = "Eve\x00\r\nBcc: x@evil\u202Egnp.exe"
	st.Lines[0].ProjectID = "../../etc/passwd\ttab"
	st.StatementID = "../2025-01/../../x"
	st.Lines[0].Service = strings.Repeat("huge field ", 100000) // 1.1 MB
	st.FundOrg = "王小明 Wang 🚀 Ærø"                               // glyphs the Go fonts lack
	txt := pdftotext(t, render(t, st, nil))
	if strings.ContainsAny(txt, "\x00\u202E") || !strings.Contains(txt, "Eve Bcc: x@evil") || !strings.Contains(txt, "Wang") || !strings.Contains(txt, "Ærø") {
		t.Errorf("control characters leaked or text lost:\n%q", txt)
	}
	if got := FileName(st); strings.Contains(got, "..") || filepath.Dir(got) != "2025-01" || strings.ContainsAny(filepath.Base(got), "/\\") {
		t.Errorf("FileName = %q", got)
	}
	if strings.Contains(FileName(&statement.Statement{Period: "..", StatementID: ".."}), "..") {
		t.Error("dot-dot survives in a file name")
	}
}

func TestByteIdenticalWhenFinal(t *testing.T) {
	hist := []ledger.MonthTotal{{Period: "2024-12", ListCost: decimal.NewFromInt(2000), BilledCost: decimal.NewFromInt(100)},
		{Period: "2025-01", ListCost: decimal.NewFromInt(2400), BilledCost: decimal.Zero}}
	a := render(t, sample(statement.StatusFinal), hist)
	time.Sleep(1100 * time.Millisecond) // a render-time clock would now differ
	b, err := renderer(t).Statement(sample(statement.StatusFinal), hist)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("re-rendering a final statement changed its bytes")
	}
	if !bytes.Contains(a, []byte("/CreationDate(D:20250203190506")) {
		t.Error("creation date is not the finalize time")
	}
	if bytes.Contains(a, []byte(time.Now().UTC().Format("20060102150405")[:10])) {
		t.Error("PDF carries the render time")
	}
}

func TestHistoryChartAndPages(t *testing.T) {
	st := sample(statement.StatusDraft)
	for i := 0; i < 90; i++ {
		st.Lines = append(st.Lines, statement.Line{Source: "Storage", Service: "Project storage", ProjectID: fmt.Sprintf("proj-%02d", i/10),
			FundOrg: "F", ListCost: m("10"), Discount: m("-10"), BilledCost: m("0")})
	}
	var hist []ledger.MonthTotal
	for i := 2; i <= 12; i++ {
		hist = append(hist, ledger.MonthTotal{Period: fmt.Sprintf("2024-%02d", i), ListCost: decimal.NewFromInt(int64(i * 100)), BilledCost: decimal.NewFromInt(int64(i * 10))})
	}
	b := render(t, st, hist)
	txt := flat(t, b)
	for _, want := range []string{"Your last 12 months", "Feb", "Jan", "Subtotal proj-08", "(continued)", "Page 2", "$990.00"} {
		if !strings.Contains(txt, want) {
			t.Errorf("lacks %q:\n%s", want, txt)
		}
	}
	info, _ := exec.Command("pdfinfo", writeTemp(t, b)).CombinedOutput()
	if !regexp.MustCompile(`Pages:\s+[2-9]`).Match(info) {
		t.Errorf("92 lines should take several pages:\n%s", info)
	}
	for _, w := range words(t, b) {
		if w.y1 > pageH-20 {
			t.Errorf("word %q at y %.1f runs into the page edge", w.text, w.y1)
		}
	}
}

func writeTemp(t *testing.T, b []byte) string {
	f := filepath.Join(t.TempDir(), "x.pdf")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestWriteFilesParallel(t *testing.T) {
	var sts []statement.Statement
	for i := 0; i < 40; i++ {
		st := *ada(statement.StatusFinal)
		st.StatementID = fmt.Sprintf("2025-01-%08d", i)
		st.PI.Email = fmt.Sprintf("pi%d@uni.edu", i)
		sts = append(sts, st)
	}
	dir := t.TempDir()
	var written atomic.Int64
	stats, err := renderer(t).WriteFiles(sts, nil, dir, 4, &written)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Files != 40 || stats.Bytes == 0 || written.Load() != 40 {
		t.Fatalf("stats %+v, %d counted written", stats, written.Load())
	}
	for _, st := range sts {
		want := filepath.Join(dir, "2025-01", BaseName(&st))
		if st.PDF != want {
			t.Errorf("pdf %q, want %q", st.PDF, want)
		}
		b, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != st.PDFSHA256 {
			t.Errorf("%s: pdf_sha256 does not match the file", st.StatementID)
		}
		if !strings.Contains(pdftotext(t, b), st.PI.Email) {
			t.Errorf("%s does not carry its PI", st.PDF)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, "2025-01", ".tmp-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestReportPDF(t *testing.T) {
	rep := &build.Report{Year: 2025,
		Periods: []ledger.PeriodInfo{{Period: "2025-01", State: ledger.StateFinalized, FinalizedAt: time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC)}, {Period: "2025-02", State: ledger.StateOpen}},
		Rows: []build.ReportRow{
			{FundOrg: "NIH-2", PIEmail: "bob@uni.edu", ListCost: m("100"), Discount: m("-20"), BilledCost: m("80")},
			{FundOrg: "NSF-1", PIEmail: "ada@uni.edu", PIName: "Ada Lovelace", ListCost: m("2400"), Discount: m("-2400"), BilledCost: m("0")},
		},
		Totals: build.ReportRow{ListCost: m("2500"), Discount: m("-2420"), BilledCost: m("80")},
	}
	rep.Months = []build.ReportPeriod{{Period: "2025-01", Totals: statement.Totals{ListCost: m("2400"), BilledCost: m("0")}},
		{Period: "2025-02", Totals: statement.Totals{ListCost: m("100"), BilledCost: m("80")}}}
	rep.Categories = []build.ReportCategory{{Category: "Compute", ListCost: m("2400"), Discount: m("-2400"), BilledCost: m("0")},
		{Category: "Storage", ListCost: m("100"), Discount: m("-20"), BilledCost: m("80")}}
	b, err := renderer(t).Report(rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) >= 30*1024 {
		t.Errorf("report is %d bytes", len(b))
	}
	if watermark(t, b) != "ADFRT" {
		t.Error("report with an open period has no DRAFT watermark")
	}
	txt := flat(t, b)
	for _, want := range []string{"Value delivered in 2025", "2025-02 (open)", "Ada Lovelace ada@uni.edu", "Subtotal NSF-1",
		"$2,500.00", "−$2,420.00", "$80.00", "The institution covered $2,420.00 (96.8%)", "includes periods not yet finalized",
		"List price and billed by month", "Jan", "Feb", "List price and billed by service category", "Compute", "Storage",
		"Billed $80.00 · covered 20.0%", "100.0%", "Adjustments", "Amount due"} {
		if !strings.Contains(txt, want) {
			t.Errorf("report lacks %q:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "bob@uni.edu bob@uni.edu") {
		t.Error("a PI without a name shows the e-mail twice")
	}
}

// TestReportLongValues: PI names, e-mails and funds are never cut in the
// annual report; adjustments and amount due are shown; a credit is kept.
func TestReportLongValues(t *testing.T) {
	name := "Dr. Maximiliana Alexandrovna Featherstonehaugh-Cholmondeley-Worthington III"
	email := "principal.investigator.with.a.very.long.name@department-of-atmospheric-and-oceanic-sciences.example-university.edu"
	fund := "DOE-ASCR-2025-SC0012345-SUPPLEMENTAL-FUNDING-ORGANIZATION-CODE"
	rep := &build.Report{Year: 2025,
		Periods: []ledger.PeriodInfo{{Period: "2025-01", State: ledger.StateFinalized, FinalizedAt: time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC)}},
		Rows: []build.ReportRow{
			{FundOrg: fund, PIEmail: email, PIName: name, ListCost: m("123456789.12"), Discount: m("-23456789.12"), BilledCost: m("100000000"),
				Adjustments: m("-100000012.50"), AmountDue: m("-12.50")},
			{FundOrg: fund, PIEmail: "nameless@uni.edu", ListCost: m("1"), Discount: m("0"), BilledCost: m("1"), AmountDue: m("1")},
		},
		Categories: []build.ReportCategory{{Category: "Compute and very long category names from a provider export", ListCost: m("123456790.12"), BilledCost: m("100000001")}},
		Months:     []build.ReportPeriod{{Period: "2025-01", Totals: statement.Totals{ListCost: m("123456790.12"), BilledCost: m("100000001")}}},
	}
	rep.Totals = build.ReportRow{ListCost: m("123456790.12"), Discount: m("-23456789.12"), BilledCost: m("100000001"), Adjustments: m("-100000012.50"), AmountDue: m("-11.50")}
	b, err := renderer(t).Report(rep)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("KEEP_PDF") != "" {
		os.WriteFile(os.Getenv("KEEP_PDF"), b, 0o644)
	}
	wholeValues(t, b, name, email, fund, "Subtotal "+fund, rep.Categories[0].Category, "nameless@uni.edu")
	txt := flat(t, b)
	for _, want := range []string{"123,456,789.12", "-100,000,012.50", "-12.50", "−$11.50", "18.9%"} {
		if !strings.Contains(txt, want) {
			t.Errorf("report lacks %q:\n%s", want, txt)
		}
	}
	c, err := renderer(t).Report(rep)
	if err != nil || !bytes.Equal(b, c) {
		t.Errorf("a finalized report is not byte-identical when re-rendered (%v)", err)
	}
}

// watermark returns the sorted letters drawn larger than 60 pt on page 1:
// pdftotext splits the rotated watermark into single letters.
func watermark(t *testing.T, b []byte) string {
	var rs []string
	for _, w := range words(t, b) {
		if w.page == 1 && w.y1-w.y0 > 60 {
			rs = append(rs, strings.Split(w.text, "")...)
		}
	}
	sort.Strings(rs)
	return strings.Join(rs, "")
}

// BenchmarkRenderPDF renders DESIGN.md's example statement with a chart,
// in parallel on all cores (as focus-statement does); reports PDFs/s and
// the size of one PDF.
func BenchmarkRenderPDF(b *testing.B) {
	r := renderer(b)
	hist := []ledger.MonthTotal{{Period: "2024-12", ListCost: decimal.NewFromInt(2000), BilledCost: decimal.NewFromInt(100)},
		{Period: "2025-01", ListCost: decimal.NewFromInt(3634), BilledCost: decimal.NewFromInt(1000)}}
	one, err := r.Statement(sample(statement.StatusDraft), hist)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Statement(sample(statement.StatusDraft), hist); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pdfs/s")
	b.ReportMetric(float64(len(one)), "bytes/pdf")
}

// BenchmarkBarePage is the baseline for BenchmarkRenderPDF in the same run:
// a gopdf page with the embedded Go font (parsed once) and one line of text,
// the least any statement PDF costs.
func BenchmarkBarePage(b *testing.B) {
	fc := &gopdf.FontContainer{}
	if err := fc.AddTTFFontData("goregular", goregular.TTF); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var size int
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p := &gopdf.GoPdf{}
			p.Start(gopdf.Config{PageSize: *gopdf.PageSizeLetter})
			if err := p.AddTTFFontFromFontContainer("goregular", fc); err != nil {
				b.Error(err)
				return
			}
			p.AddPage()
			p.SetFont("goregular", "", 12)
			p.SetXY(40, 40)
			p.Cell(nil, "Statement 2025-01-00482913 Amount due $0.00")
			out, err := p.GetBytesPdfReturnErr()
			if err != nil {
				b.Error(err)
				return
			}
			size = len(out)
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pdfs/s")
	b.ReportMetric(float64(size), "bytes/pdf")
}

func TestBaseName(t *testing.T) {
	for _, c := range []struct {
		name, email, project, id, want string
	}{
		{"Ada Lovelace", "ada@uni.edu", "", "2025-01-27321688", "2025-01_lovelace-ada_27321688.pdf"},
		{"Lovelace, Ada", "ada@uni.edu", "", "2025-01-27321688", "2025-01_lovelace-ada_27321688.pdf"},
		{"Émilie du Châtelet", "e@uni.edu", "Climate/ML #2", "2025-01-00000042", "2025-01_chatelet-emilie-du_climate-ml-2_00000042.pdf"},
		{"", "grace.hopper@uni.edu", "", "2025-01-12345678", "2025-01_grace-hopper_12345678.pdf"},
		{"王小明", "", "", "2025-01-1", "2025-01_1.pdf"},
	} {
		st := &statement.Statement{Period: "2025-01", StatementID: c.id, ProjectID: c.project}
		st.PI.Name, st.PI.Email = c.name, c.email
		if got := BaseName(st); got != c.want {
			t.Errorf("BaseName(%q, %q) = %q, want %q", c.name, c.email, got, c.want)
		}
	}
}

// TestLinesSayWhatTheyAre (issue 27): a credit carries its description,
// long ones wrap whole; two look-alike lines say how they differ; a
// draft's line under review is marked, with the sentence saying what it
// means; the figures show list, discount, adjustments and amount due
// together.
func TestLinesSayWhatTheyAre(t *testing.T) {
	st := sample(statement.StatusDraft)
	long := "Service credit for the 2025-01-14 outage of the us-east-1 region under the AWS service level agreement, case 171234567890, applied in full to this account"
	st.Lines = append(st.Lines,
		statement.Line{Source: "AWS", Service: "Amazon EC2", ProjectID: "ocean", FundOrg: "NSF-ATM-2024", Description: long,
			ListCost: m("-25"), Discount: m("0"), BilledCost: m("-25")},
		statement.Line{Source: "AWS", Service: "Amazon EC2", ProjectID: "ocean", FundOrg: "NSF-ATM-2024", CostCenter: "CC-77",
			ListCost: m("5"), Discount: m("0"), BilledCost: m("5"), UnderReview: true},
		statement.Line{Source: "AWS", Service: "Amazon S3", ProjectID: "ocean", FundOrg: "NSF-ATM-2024",
			ListCost: m("-1"), Discount: m("0"), BilledCost: m("-1")})
	st.Totals = statement.Totals{ListCost: m("3613.56"), Discount: m("-2634.56"), BilledCost: m("979"), Adjustments: m("-10"), AmountDue: m("969")}
	b := render(t, st, nil)
	txt := flat(t, b)
	for _, want := range []string{
		"List price", "Discount", "Adjustments", "Amount due", "$3,613.56", "−$2,634.56", "−$10.00", "$969.00",
		"(cost centre CC-77) [under review]", "(no cost centre, account or ref)",
		"AWS · Amazon S3: " + statement.NoDescriptionCredit,
		statement.UnderReviewSentence,
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, txt)
		}
	}
	wholeValues(t, b, "AWS · Amazon EC2: "+long)
	if os.Getenv("KEEP_PDF") != "" {
		os.WriteFile(os.Getenv("KEEP_PDF"), b, 0o644)
	}

	// A draft with nothing pending, and a final statement, have neither
	// mark nor sentence.
	for _, status := range []string{statement.StatusDraft, statement.StatusFinal} {
		if txt := flat(t, render(t, sample(status), nil)); strings.Contains(txt, "under review") {
			t.Errorf("%s statement with nothing pending mentions review:\n%s", status, txt)
		}
	}
}
