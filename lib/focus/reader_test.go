package focus

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

func readAll(t *testing.T, in string) (*Reader, []Row, []error) {
	t.Helper()
	r, err := NewReader(strings.NewReader(in), "in.csv")
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var rows []Row
	var errs []error
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, err)
			var pe *ParseError
			if !errors.As(err, &pe) {
				break
			}
			continue
		}
		rows = append(rows, Row{Line: row.Line, Values: append([]string(nil), row.Values...)})
	}
	return r, rows, errs
}

func TestCSVBOMCRLFQuotedNewline(t *testing.T) {
	in := "\xEF\xBB\xBFBilledCost,ServiceName,Tags\r\n1.5,\"HPC\r\nCompute\",\"{\"\"pi_email\"\":\"\"a@b.edu\"\"}\"\r\n2,S3,\r\n"
	r, rows, errs := readAll(t, in)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if r.Format() != CSV || r.Header()[0] != "BilledCost" {
		t.Fatalf("header %q format %v", r.Header(), r.Format())
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 4 {
		t.Fatalf("rows %+v", rows)
	}
	if rows[0].Values[1] != "HPC\nCompute" {
		t.Errorf("quoted newline: %q", rows[0].Values[1])
	}
	if r.Index("Tags") != 2 || r.Index("Nope") != -1 {
		t.Error("Index")
	}
}

func TestCSVFieldCountAndQuoteErrors(t *testing.T) {
	_, rows, errs := readAll(t, "A,B\n1,2\n1,2,3\n4,5\n")
	if len(rows) != 2 || len(errs) != 1 {
		t.Fatalf("rows %d errs %v", len(rows), errs)
	}
	var pe *ParseError
	if !errors.As(errs[0], &pe) || pe.Line != 3 || !strings.Contains(pe.Error(), "in.csv:3") {
		t.Fatalf("error %v", errs[0])
	}
	_, _, errs = readAll(t, "A,B\n1,\"2\n")
	if len(errs) == 0 || !strings.Contains(errs[0].Error(), "in.csv:2") {
		t.Fatalf("broken quote: %v", errs)
	}
}

func TestNDJSON(t *testing.T) {
	in := "\n{\"BilledCost\":\"1.50\",\"Tags\":{\"pi_email\":\"a@b.edu\"},\"ListCost\":3}\n\n{\"BilledCost\":2,\"Tags\":null}\n{\"Other\":1}\n"
	r, rows, errs := readAll(t, in)
	if r.Format() != NDJSON || strings.Join(r.Header(), ",") != "BilledCost,Tags,ListCost" {
		t.Fatalf("header %v", r.Header())
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 4 {
		t.Fatalf("rows %+v", rows)
	}
	if rows[0].Values[1] != `{"pi_email":"a@b.edu"}` || rows[0].Values[2] != "3" || rows[1].Values[1] != "" || rows[1].Values[2] != "" {
		t.Fatalf("values %+v", rows)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "in.csv:5") {
		t.Fatalf("errs %v", errs)
	}
}

func TestUTF16(t *testing.T) {
	enc := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()
	b, err := enc.Bytes([]byte("A,B\n1,é\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, rows, errs := readAll(t, string(b))
	if len(errs) > 0 || len(rows) != 1 || rows[0].Values[1] != "é" {
		t.Fatalf("rows %v errs %v", rows, errs)
	}
	noBOM := bytes.TrimPrefix(b, []byte{0xFF, 0xFE})
	if _, err := NewReader(bytes.NewReader(noBOM), "x.csv"); !errors.Is(err, ErrUTF16NoBOM) {
		t.Fatalf("want UTF-16 error, got %v", err)
	}
}

func TestEmptyAndDuplicateHeader(t *testing.T) {
	if _, err := NewReader(strings.NewReader(""), "e.csv"); err == nil || !strings.Contains(err.Error(), "e.csv:1") {
		t.Fatalf("empty: %v", err)
	}
	if _, err := NewReader(strings.NewReader("A,B,A\n"), "d.csv"); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("dup: %v", err)
	}
}

func TestWriterRoundTrip(t *testing.T) {
	in := "BilledCost,Tags,x_Note\n1.5,\"{\"\"k\"\":\"\"v\"\"}\",\"say \"\"hi\"\"\n<&>\"\n,,\n"
	for _, f := range []Format{CSV, NDJSON} {
		_, rows, errs := readAll(t, in)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		var buf bytes.Buffer
		w := NewWriter(&buf, f)
		w.WriteHeader([]string{"BilledCost", "Tags", "x_Note"})
		for _, r := range rows {
			if err := w.Write(r.Values); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if f == NDJSON && !strings.Contains(buf.String(), `"Tags":{"k":"v"}`) {
			t.Errorf("ndjson Tags not an object: %s", buf.String())
		}
		_, back, errs := readAll(t, buf.String())
		if len(errs) > 0 || len(back) != len(rows) {
			t.Fatalf("%v: back %v errs %v", f, back, errs)
		}
		for i := range rows {
			if strings.Join(rows[i].Values, "|") != strings.Join(back[i].Values, "|") {
				t.Errorf("%v: row %d %q != %q", f, i, rows[i].Values, back[i].Values)
			}
		}
	}
}

func TestParseTags(t *testing.T) {
	tags, err := ParseTags(`{"pi_email":"a@b.edu","n":3,"f":true,"z":null}`)
	if err != nil || tags["pi_email"] != "a@b.edu" || tags["n"] != "3" || tags["f"] != "true" || tags["z"] != "" {
		t.Fatalf("%v %v", tags, err)
	}
	for _, bad := range []string{`[1]`, `{"a":{"b":1}}`, `{"a":1,"a":2}`, `{"a":1} x`, `{`} {
		if _, err := ParseTags(bad); err == nil {
			t.Errorf("ParseTags(%q) accepted", bad)
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("A,B\n1,2\n"))
	f.Add([]byte("\xEF\xBB\xBFA,B\r\n\"x\ny\",2\r\n"))
	f.Add([]byte("{\"A\":1,\"Tags\":{\"k\":\"v\"}}\n{\"A\":2}\n"))
	f.Add([]byte("\xFF\xFEA\x00,\x00B\x00\n\x00"))
	f.Add([]byte("A,B\n1,\"2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			row, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					return
				}
				continue
			}
			if len(row.Values) != len(r.Header()) {
				t.Fatalf("row has %d values, header %d", len(row.Values), len(r.Header()))
			}
		}
	})
}

func TestNDJSONStrict(t *testing.T) {
	for _, bad := range []string{
		`{"A":1}}0`, `{"A":1} x`, `{"A":01}`, `{"A":"x}`, `{"A":tru}`, `{"A" 1}`, `{"A":1,}`, `{"A":{"b":}}`, "{\"A\":\"a\x01\"}",
	} {
		r, err := NewReader(strings.NewReader("{\"A\":\"ok\"}\n"+bad+"\n"), "x.ndjson")
		if err != nil {
			t.Fatal(err)
		}
		r.Read()
		if _, err := r.Read(); err == nil || !strings.Contains(err.Error(), "x.ndjson:2") {
			t.Errorf("%q: want an error on line 2, got %v", bad, err)
		}
	}
	_, rows, errs := readAll(t, `{"A":"tab\there \u00e9 \"q\"","B":{ "k" : [1, "}"] },"C":-1.5e3,"D":true}`+"\n")
	if len(errs) > 0 || len(rows) != 1 {
		t.Fatal(errs)
	}
	if got := strings.Join(rows[0].Values, "|"); got != "tab\there é \"q\"|{\"k\":[1,\"}\"]}|-1.5e3|true" {
		t.Fatalf("values %q", got)
	}
}

func BenchmarkReadNDJSON(b *testing.B) {
	var buf bytes.Buffer
	w := NewWriter(&buf, NDJSON)
	w.WriteHeader([]string{"BilledCost", "ListCost", "ServiceName", "ChargePeriodStart", "Tags"})
	for i := 0; i < 10000; i++ {
		w.Write([]string{"12.5", "20", "HPC Compute", "2025-01-01T00:00:00Z", `{"pi_email":"a@uni.edu","project_id":"p1"}`})
	}
	w.Flush()
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, _ := NewReader(bytes.NewReader(data), "b")
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			}
		}
	}
}
