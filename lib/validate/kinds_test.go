package validate

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
)

func runOn(t *testing.T, in string, cfg Config) (Result, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cfg.Stdout, cfg.Stderr = &out, &errb
	cfg.Open = func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(in)), nil }
	res, err := Run(cfg, []string{"x.csv"})
	if err != nil {
		t.Fatal(err)
	}
	return res, errb.String()
}

// TestErrorsByKind: a run that prints more errors than --max-errors ends
// with a count per rule and column (text and JSON); one within the limit
// does not.
func TestErrorsByKind(t *testing.T) {
	bad := row("bad", feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags)
	res, errs := runOn(t, hdr+strings.Repeat(bad, 235), Config{MaxErrors: 3})
	if !strings.Contains(errs, "focus-validate: errors by kind (rule, column):\n") ||
		!regexpMatch(`focus-validate:\s+235\s+datetime-format\s+BillingPeriodStart\n`, errs) {
		t.Errorf("no summary by kind:\n%s", errs)
	}
	if n := strings.Count(errs, "[datetime-format]"); n != 3 || res.Kinds.List()[0].Count != 235 {
		t.Errorf("printed %d, kinds %+v", n, res.Kinds.List())
	}
	if i, j := strings.Index(errs, "errors by kind"), strings.Index(errs, "rows read"); i < 0 || j < i {
		t.Error("the summary by kind should come just before the final count")
	}
	_, errs = runOn(t, hdr+strings.Repeat(bad, 2), Config{MaxErrors: 3})
	if strings.Contains(errs, "errors by kind") {
		t.Errorf("summary by kind although every error was printed:\n%s", errs)
	}
	_, errs = runOn(t, hdr+strings.Repeat(bad, 10), Config{MaxErrors: 3, JSON: true})
	found := false
	for _, l := range strings.Split(strings.TrimSpace(errs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		if m["rule"] == "errors-by-kind" {
			found = m["kind"] == "datetime-format" && m["column"] == "BillingPeriodStart" && m["count"] == float64(10)
		}
	}
	if !found {
		t.Errorf("no JSON errors-by-kind line:\n%s", errs)
	}
}

// TestNotText: a PDF, a spreadsheet or an archive is named as such first,
// once, instead of hundreds of CSV syntax errors; UTF-16 is still read.
func TestNotText(t *testing.T) {
	for in, kind := range map[string]string{
		"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + strings.Repeat("\x00\xff\"x,y\n", 50): "a PDF document",
		"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml":                           "a ZIP archive (an Excel .xlsx workbook is one)",
		"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00":                                                     "an Excel 97–2003 workbook",
		"PAR1\x15\x04":     "a Parquet file",
		"\x1f\x8b\x08\x00": "gzip",
		"BilledCost\x00\x01\x02,x\n\x00\x00\x00junk\x07\x00": "a binary file",
	} {
		res, errs := runOn(t, in, Config{})
		if res.ExitCode() != 1 || res.FileErrors != 1 || !strings.Contains(res.Problem, kind) || strings.Count(errs, "[not-text]") != 1 ||
			strings.Contains(errs, "[csv-syntax]") || !strings.HasPrefix(errs, "x.csv:1: not a CSV or NDJSON file: it is ") {
			t.Errorf("%q: res %+v\n%s", in[:8], res, errs)
		}
	}
	// UTF-16 with and without a BOM is text (converted, or the reader's own
	// message), never "binary".
	u := utf16.Encode([]rune(hdr))
	le := []byte{0xFF, 0xFE}
	noBOM := []byte{}
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
		noBOM = append(noBOM, byte(c), byte(c>>8))
	}
	for _, in := range [][]byte{le, noBOM} {
		_, errs := runOn(t, string(in), Config{})
		if strings.Contains(errs, "[not-text]") {
			t.Errorf("UTF-16 taken for binary:\n%s", errs)
		}
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }
