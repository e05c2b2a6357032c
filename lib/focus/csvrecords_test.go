package focus

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// csvRecordsConfigs are the ways the differential test runs
// csvRecordReader: with a tiny buffer (refills, growth, lines split across
// reads) fed one byte a read, keeping raw bytes or not, and as the Reader
// runs it.
var csvRecordsConfigs = []struct {
	name    string
	size    int
	oneByte bool
	keepRaw bool
}{
	{name: "tiny buffer, one byte a read", size: 16, oneByte: true, keepRaw: true},
	{name: "tiny buffer, raw not kept", size: 16, keepRaw: false},
	{name: "default buffer", size: defaultCSVBufferSize, keepRaw: true},
}

// compareWithEncodingCSV reads data with encoding/csv, configured as the
// Reader configured it, and with csvRecordReader, and fails at the first
// difference in records, field positions, errors or input consumed.
func compareWithEncodingCSV(t *testing.T, data []byte) {
	t.Helper()
	for _, cfg := range csvRecordsConfigs {
		std := csv.NewReader(bytes.NewReader(data))
		std.FieldsPerRecord = -1
		std.ReuseRecord = true

		var src io.Reader = bytes.NewReader(data)
		if cfg.oneByte {
			src = iotest.OneByteReader(src)
		}
		ours := newCSVRecordReader(src, cfg.size, cfg.keepRaw)

		var prev int64
		// Every Read but the last consumes a line at least.
		for n := 0; n <= len(data)+1; n++ {
			want, wantErr := std.Read()
			got, gotErr := ours.Read()
			where := func() string { return fmt.Sprintf("%s, read %d", cfg.name, n+1) }
			if !sameCSVError(wantErr, gotErr) {
				t.Fatalf("%s: error %v (%#v), encoding/csv %v (%#v)", where(), gotErr, gotErr, wantErr, wantErr)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: record %q, encoding/csv %q", where(), got, want)
			}
			if off := std.InputOffset(); ours.InputOffset() != off {
				t.Fatalf("%s: offset %d, encoding/csv %d", where(), ours.InputOffset(), off)
			}
			if wantErr == io.EOF {
				// Once more: still the end, nothing consumed.
				if _, err := ours.Read(); err != io.EOF || ours.InputOffset() != int64(len(data)) {
					t.Fatalf("%s: after the end: %v, offset %d of %d", where(), err, ours.InputOffset(), len(data))
				}
				return
			}
			for i := range want {
				wl, wc := std.FieldPos(i)
				if gl, gc := ours.FieldPos(i); gl != wl || gc != wc {
					t.Fatalf("%s: field %d at %d:%d, encoding/csv %d:%d", where(), i, gl, gc, wl, wc)
				}
			}
			if off := std.InputOffset(); cfg.keepRaw && !bytes.Equal(ours.Raw(), data[prev:off]) {
				t.Fatalf("%s: raw %q, input consumed %q", where(), ours.Raw(), data[prev:off])
			}
			prev = std.InputOffset()
		}
		t.Fatalf("%s: no end after %d reads", cfg.name, len(data)+2)
	}
}

// sameCSVError: both nil, both io.EOF, or *csv.ParseErrors with the same
// fields (Err compared by identity: ErrBareQuote, ErrQuote).
func sameCSVError(want, got error) bool {
	var wpe, gpe *csv.ParseError
	if errors.As(want, &wpe) && errors.As(got, &gpe) {
		return *wpe == *gpe
	}
	return want == got
}

// csvRecordsSeeds cover what encoding/csv does with hostile input.
var csvRecordsSeeds = []string{
	"",
	"\n",
	"\r\n",
	"\r",
	"\r\r\n",
	"a",
	"a\n",
	"a\r",
	"a\r\n",
	"a\r\r",
	"a\rb\n",
	"a,b,c\nd,e,f\n",
	"a,b\r\nc,d\r\n",
	"a,b\nc,d",
	"\n\na\n\n\nb\n\n",
	"\r\n\r\na\r\n\r\n",
	"a,b\n\r\n\nc\n\r",
	",\n,,\n",
	"a,\n",
	"\"a\",\"b\"\n",
	"\"\"\n",
	"\"\",\"\"\n",
	"\"a\"\"b\",c\n",
	"\"\"\"\"\n",
	"\"a\nb\",c\n",
	"\"a\r\nb\",c\r\n",
	"\"a\r\n\r\nb\"\r\n",
	"\"a\rb\"\n",
	"\"a\n\n\nb\"\n",
	"\"a\n",
	"\"a",
	"\"",
	"\"\n",
	"\"\r",
	"\"a\r",
	"\"a\n\r",
	"\"a\n\n",
	"\"a\nb",
	"x,\"a\nb\ny",
	"a\"b,c\n",
	"a,b\"\n",
	"a,b\"c\nd,e\n",
	"a\"\nb\n",
	"\"a\"b,c\nd\n",
	"\"a\" ,b\n",
	"\"a\"\r\n",
	"\"a\"\rb\n",
	"\"a\"x\ny\nz\n",
	"\"a\nb\"x,c\nd\n",
	"\"a\nb\"\"c\nd\"\n",
	" \"a\",b\n",
	"a,\"b\nc\"d\ne,f\n",
	"a,\"\"\"\n",
	"a,\"b\"\"\",\"\"\"c\"\n",
	"\"a,b\",\"c\nd,e\"\n",
	"a\x00b,\x00\n\"\x00\"\n",
	"\xff\xfe,\"\xc3\",\xe2\x82\n",
	"é,\"ü\"\"\",€\n",
	"A,B\n1,\"x\ny\"\n\n2,\"q\"\"\"\r\n3,last",
	"BilledCost,Tags\n1.5,\"{\"\"pi_email\"\":\"\"a@b.edu\"\"}\"\n2,\n",
	"a,b\n1,2,3\n\n4\n",
	"0123456789abcdef0123456789,\"0123456789abcdef\n0123456789\"\n",
	strings.Repeat("x", 100) + "\n" + strings.Repeat("y,", 40) + "\n",
	"\"" + strings.Repeat("q\"\"", 50) + "\"\n" + strings.Repeat("\n", 40) + "z",
	"a," + strings.Repeat("\"\n", 30),
	strings.Repeat("\r", 33) + "\n" + strings.Repeat("\r\n", 20),
	// Commas found eight bytes at a time: at the edges of a word, many in
	// one, and "-" after one (the borrow of a cheaper zero-byte test would
	// take it for a comma; the fuzzer found that in a planted bug).
	"0123456,89abcde,\n,,,,,,,,,,,,,,,,,\n",
	"00,-0000",
	"1234567,-1,-2,\"-\",-,\n",
}

func TestCSVRecordsMatchEncodingCSV(t *testing.T) {
	for _, s := range csvRecordsSeeds {
		compareWithEncodingCSV(t, []byte(s))
	}
	// A field much larger than the buffers, and records around its size.
	big := strings.Repeat("0123456789", 30000)
	compareWithEncodingCSV(t, []byte(big+","+big+"\n\""+big+"\n"+big+"\"\"\"\n"+big))
}

// FuzzCSVRecordsMatchEncodingCSV: csvRecordReader is encoding/csv, for any
// input.
func FuzzCSVRecordsMatchEncodingCSV(f *testing.F) {
	for _, s := range csvRecordsSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareWithEncodingCSV(t, data)
	})
}
