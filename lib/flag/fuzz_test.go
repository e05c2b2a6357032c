package flag

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/focus"
)

// The fast Tags scanner must agree with focus.ParseTags, the reference, on
// every input: same validity, same values for the keys asked for.
func FuzzLookupTags(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `{"pi_email":"a@b.edu","fund_org":"F"}`, `{"pi_email":"a\"b"}`,
		`{"pi_email":12.5,"x":null,"y":true}`, `{"pi_email":"a","pi_email":"b"}`,
		`{"a":{"b":1}}`, `{"a":[1]}`, ` {"pi_email" : "x" } `, `{"pi_email":"x"} {}`,
		`{"pi_email":"\u00e9"}`, `{"fund_org":-1e5}`, `{"pi_email":"a",}`, `{,}`, `{"a" "b"}`,
		"{\"pi_email\":\"a\nb\"}", `{"pi_email":tru}`, `{"pi_email":1-2}`,
	} {
		f.Add(s)
	}
	keys := []string{"pi_email", "fund_org"}
	f.Fuzz(func(t *testing.T, cell string) {
		vals := make([]string, len(keys))
		ok := lookupTags(cell, keys, vals)
		ref, err := focus.ParseTags(cell)
		if ok != (err == nil) {
			// The one leniency: a key repeated among keys nobody asked
			// for (scanning for it would cost a map per row).
			if !ok || !strings.Contains(err.Error(), "twice") {
				t.Fatalf("lookupTags(%q) = %v, ParseTags: %v", cell, ok, err)
			}
			return
		}
		if !ok {
			return
		}
		for i, k := range keys {
			if vals[i] != ref[k] {
				t.Fatalf("%q: %s = %q, ParseTags %q", cell, k, vals[i], ref[k])
			}
		}
	})
}

// rawCSV must split a stream into the same records, at the same lines, as
// focus.Reader does, or pass 2 would be out of step (it checks, and fails).
func FuzzRawCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "a,b\r\n1,2\r\n\r\n3,4", "\xEF\xBB\xBFa,b\n\"x\ny\",2\n", "\n\n a,b\n1,\"\"\"\"\n",
		"a\n\"multi\r\nline\"\n\nlast", "a,b\n1,2\n\n\n3,4\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := focus.NewReader(strings.NewReader(in), "in")
		if err != nil || r.Format() != focus.CSV || bytes.HasPrefix([]byte(in), []byte{0xFF, 0xFE}) || bytes.HasPrefix([]byte(in), []byte{0xFE, 0xFF}) {
			return
		}
		var lines []int
		for {
			row, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return // pass 1 stops on broken input; pass 2 never runs
			}
			lines = append(lines, row.Line)
		}
		sc := newRawCSV(strings.NewReader(in))
		if _, _, err := sc.next(); err != nil {
			t.Fatalf("header: %v", err)
		}
		for i, want := range lines {
			_, line, err := sc.next()
			if err != nil || line != want {
				t.Fatalf("record %d: line %d, %v; focus.Reader line %d (input %q)", i+1, line, err, want, in)
			}
		}
		if _, _, err := sc.next(); err != io.EOF {
			t.Fatalf("extra record after %d (input %q)", len(lines), in)
		}
	})
}
