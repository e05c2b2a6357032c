package validate

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// Kinds counts error diagnostics by rule and column: the summary a run
// ends with when it printed more problems than --max-errors (an export
// saved by Excel gives hundreds of near-identical lines). focus-validate
// prints it; any tool that reports Diagnostics can keep one.
type Kinds struct {
	m map[kindKey]int
}

type kindKey struct{ Rule, Column string }

// Kind is one rule and column with its count.
type Kind struct {
	Rule   string `json:"rule"`
	Column string `json:"column"`
	Count  int    `json:"count"`
}

// Add counts d if it is an error.
func (k *Kinds) Add(d Diagnostic) {
	if d.Severity != Error {
		return
	}
	if k.m == nil {
		k.m = map[kindKey]int{}
	}
	k.m[kindKey{d.Rule, d.Column}]++
}

// List is the counts, largest first (then by rule and column).
func (k *Kinds) List() []Kind {
	out := make([]Kind, 0, len(k.m))
	for key, n := range k.m {
		out = append(out, Kind{Rule: key.Rule, Column: key.Column, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Column < b.Column
	})
	return out
}

// Write writes the summary as text, one line a rule and column, each
// prefixed (e.g. "focus-validate: "):
//
//	focus-validate: errors by kind (rule, column):
//	focus-validate:     233  numeric-format  BilledCost
func (k *Kinds) Write(w io.Writer, prefix string) error {
	ks := k.List()
	if len(ks) == 0 {
		return nil
	}
	width := len(strconv.Itoa(ks[0].Count))
	rw := 0
	for _, x := range ks {
		rw = max(rw, len(x.Rule))
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%serrors by kind (rule, column):\n", prefix)
	for _, x := range ks {
		fmt.Fprintf(bw, "%s  %*d  %-*s  %s\n", prefix, width, x.Count, rw, x.Rule, orRow(x.Column))
	}
	return bw.Flush()
}

// sniffBinary names what a file that is not text looks like, from its
// first bytes ("" = text: UTF-8, or UTF-16 with a BOM, which the reader
// converts; UTF-16 without a BOM has its own message from the reader).
func sniffBinary(head []byte) string {
	magic := []struct {
		prefix, kind string
	}{
		{"%PDF-", "a PDF document"},
		{"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one)"},
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an Excel 97–2003 workbook (.xls) or another Office document"},
		{"PAR1", "a Parquet file"},
		{"\x1f\x8b", "a gzip-compressed file (decompress it first)"},
		{"BZh", "a bzip2-compressed file (decompress it first)"},
		{"\xFD7zXZ\x00", "an xz-compressed file (decompress it first)"},
		{"\x28\xB5\x2F\xFD", "a zstd-compressed file (decompress it first)"},
		{"\x89PNG", "a PNG image"},
		{"\xFF\xD8\xFF", "a JPEG image"},
		{"SQLite format 3\x00", "an SQLite database"},
	}
	for _, m := range magic {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return m.kind
		}
	}
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return "" // UTF-16 with a BOM: converted by the reader
	}
	// Many control bytes (over a tenth of the first 512): binary, unless
	// every other byte is NUL (UTF-16 without a BOM: the reader says how
	// to convert it). A stray NUL in a cell is a row error, not this.
	ctl, even, odd := 0, 0, 0
	for i, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x1b {
			ctl++
		}
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	if ctl*10 > len(head) && even*3 < len(head) && odd*3 < len(head) {
		return "a binary file"
	}
	return ""
}

// orRow names a diagnostic without a column (a whole-row problem).
func orRow(col string) string {
	if col == "" {
		return "(row)"
	}
	return col
}

// displayName is an input's name in diagnostics ("-" is "<stdin>", as the
// reader names it).
func displayName(name string) string {
	if name == "" || name == "-" {
		return "<stdin>"
	}
	return name
}
