package validate

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/focus"
)

// FuzzValidate runs whole inputs through Run: it must never panic, must keep
// valid + invalid == read, and every valid row it writes must validate again
// unchanged (normalisation is idempotent).
func FuzzValidate(f *testing.F) {
	seeds := []string{
		hdr + row(jan, feb, jan, jan5, "USD", "Usage", "Usage-Based", "10", "8", "8", "HPC", okTags),
		hdr + row("2025-01-01", "2025-01-31", "2025-01-01", "2025-01-10", "usd", "usage", "Usage-based", "+1E+2", "NULL", "8", "HPC", okTags),
		hdr + row("bad", feb, jan, jan5, "XYZ", "Usgae", "x", "1,0", "$5", "-8", "", `"{""a"":[1]}"`),
		hdr + "a,b\n\"unterminated\n",
		"\xef\xbb\xbfBilledCost,ServiceName,Tags\r\n1,HPC,\"{\"\"pi_email\"\":\"\"a@b\"\"}\"\r\n",
		`{"BilledCost":"1","ServiceName":"HPC","Tags":{"pi_email":"a@b"},"BillingPeriodStart":"2025-01-01T00:00:00Z","BillingPeriodEnd":"2025-02-01T00:00:00Z"}` + "\n{\"BilledCost\":2}\n",
		"BilledCost,ServiceName,Tags,BilledCost\n",
		"",
		"\x00\x41",
		// JSON Object Format columns (FOCUS 1.3/1.4) and other datasets.
		"BilledCost,ServiceName,Tags,BillingPeriodStart,BillingPeriodEnd,AllocatedMethodDetails,ContractApplied,CommitmentProgramEligibilityDetails\n" +
			"1,HPC,\"{\"\"pi_email\"\":\"\"a@b\"\"}\",2025-01-01T00:00:00Z,2025-02-01T00:00:00Z," +
			"\"{\"\"Elements\"\":[{\"\"AllocatedRatio\"\":1.5,\"\"UsageQuantity\"\":2}]}\"," +
			"\"{\"\"Elements\"\":[{\"\"ContractId\"\":\"\"1\"\",\"\"ContractCommitmentId\"\":\"\"2\"\"}]}\"," +
			"\"{\"\"CommitmentPrograms\"\":[]}\"\n",
		"InvoiceId,InvoiceDetailId,BilledCost,InvoiceIssueDate\nI,D,1,2025-02-01\n",
	}
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in string, strict bool) {
		var out, errb, rej bytes.Buffer
		cfg := Config{Options: Options{Strict: strict, Period: "2025-01"}, Stdout: &out, Stderr: &errb, Reject: &rej,
			Open: func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(in)), nil }}
		res, err := Run(cfg, []string{"fuzz.csv"})
		if err != nil {
			return // an I/O-class error from the reader (exit 2) is allowed
		}
		if res.Read != res.Valid+res.Invalid {
			t.Fatalf("read %d != valid %d + invalid %d", res.Read, res.Valid, res.Invalid)
		}
		if res.Valid == 0 {
			return
		}
		// Re-validate the output: same rows, all valid, output unchanged.
		var out2, errb2 bytes.Buffer
		cfg2 := Config{Options: cfg.Options, Stdout: &out2, Stderr: &errb2,
			Open: func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(out.Bytes())), nil }}
		res2, err := Run(cfg2, []string{"again.csv"})
		if err != nil {
			t.Fatalf("re-read own output: %v\n%q", err, out.String())
		}
		if res2.Valid != res.Valid || res2.Invalid != 0 {
			t.Fatalf("own output: %+v (first pass %+v)\n%s\n%q", res2, res, errb2.String(), out.String())
		}
		if !bytes.Equal(out.Bytes(), out2.Bytes()) {
			t.Fatalf("normalisation not idempotent:\n%q\n%q", out.String(), out2.String())
		}
	})
}

// FuzzObjectShape: the allocation-free top-level scanner of JSON Object
// Format columns agrees with encoding/json, and the schema check never
// panics.
func FuzzObjectShape(f *testing.F) {
	for _, s := range []string{
		`{"Elements":[{"AllocatedRatio":0.05,"UsageUnit":"CPU","UsageQuantity":0.5}]}`,
		`{"Elements":[{"AllocatedRatio":1.5}],"x_A":{"b":[1,{"c":null}]}}`,
		`{"Elements":{}}`, `[{"AllocatedRatio":0.5}]`, `{"Elements":[1,]}`, `{"Elements":[],"Elements":[]}`,
		`{"CommitmentPrograms":[{"ProgramType":"FlexibleSpendPlan"}]}`,
		`{"Elements":[{"ContractId":"1","ContractCommitmentId":"2","ContractCommitmentAppliedQuantity":5}]}`,
		`{"a":"\u00e9\"","Elements":[true,false,null,-1.5e-3]}`, ` { } `, `{"Elements":[[[[[[[]]]]]]]}`,
	} {
		f.Add(s)
	}
	shapes := []*objectShape{}
	for _, id := range []string{"AllocatedMethodDetails", "ContractApplied", "CommitmentProgramEligibilityDetails"} {
		c, _ := focus.AnyColumn(id)
		sh, err := shapeFor(c.Schema)
		if err != nil {
			f.Fatal(err)
		}
		shapes = append(shapes, sh)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, sh := range shapes {
			why := scanObjectShape(s, sh)
			_ = sh.schema.validateJSON(s)
			if why != "" {
				continue
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(s), &m); err != nil {
				t.Fatalf("scanner accepted %q, encoding/json: %v", s, err)
			}
			for _, k := range sh.required {
				v, ok := m[k]
				if !ok || jsonTypeOf(bytes.TrimSpace(v)[0]) != sh.types[k] {
					t.Fatalf("scanner accepted %q without %s of type %s", s, k, sh.types[k])
				}
			}
		}
	})
}

// FuzzTagsAgreeWithLoad: a Tags cell focus-validate passes is one
// focus-load and focus-flag read (focus.LookupTags), with the same values
// for every key, so the values Check extracts are the ones the ledger
// would read; and a cell they refuse, focus-validate refuses too.
func FuzzTagsAgreeWithLoad(f *testing.F) {
	for _, s := range []string{`{}`, ` { "pi_email" : "a@b" , "n" : 1.5e3 , "t" : true , "z" : null } `,
		`{"pi_\u0065mail":"e","a":"x\"y\\u00e9"}`, `{"a":1,"\u0061":2}`, `{"a":1,"a":2}`, `{"a":[1]}`, `{"a":"\ud800"}`,
		`{"a":"\u0000"}`, `{"":"empty key"}`, `{"a":01}`, `{"a":-0.0E+1}`, "{\"a\":\"\xff\"}", `{"a":"b"} x`, `"s"`, `{"a":tru}`} {
		f.Add(s, "pi_email", "a")
	}
	f.Fuzz(func(t *testing.T, cell, k1, k2 string) {
		keys := []string{k1, k2, "pi_email", ""}
		got := make([]string, len(keys))
		why := scanKV(cell, keys, got)
		want := make([]string, len(keys))
		err := focus.LookupTags(cell, keys, want)
		if why == "" && err != nil {
			t.Fatalf("%q: validate passes it, load refuses it: %v", cell, err)
		}
		if why != "" {
			return
		}
		for i := range keys {
			if keys[i] != "" && got[i] != want[i] {
				t.Fatalf("%q key %q: validate reads %q, load %q", cell, keys[i], got[i], want[i])
			}
			if keys[i] == "" && got[i] != "" {
				t.Fatalf("%q: a value %q for the empty key nobody asked for", cell, got[i])
			}
		}
	})
}

// stringEnd (eight bytes at a time) answers as a byte at a time does.
func TestStringEndBytewise(t *testing.T) {
	ref := func(s string, i int) (int, bool, string) {
		esc := false
		for j := i + 1; j < len(s); j++ {
			switch c := s[j]; {
			case c == '"':
				return j + 1, esc, ""
			case c == '\\':
				esc = true
				j++
				if j >= len(s) {
					return 0, false, "is not valid JSON (unterminated string)"
				}
				switch s[j] {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				case 'u':
					if j+4 >= len(s) || !isHex(s[j+1]) || !isHex(s[j+2]) || !isHex(s[j+3]) || !isHex(s[j+4]) {
						return 0, false, "is not valid JSON (bad \\u escape)"
					}
					j += 4
				default:
					return 0, false, "is not valid JSON (bad escape)"
				}
			case c < 0x20:
				return 0, false, "is not valid JSON (control character in a string)"
			}
		}
		return 0, false, "is not valid JSON (unterminated string)"
	}
	const alphabet = "ab\"\\u0Fn/\x00\x1f\x20\x7f\x80\xff!#[]\x21\x5b\x5d"
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 200000; n++ {
		b := make([]byte, 1+r.IntN(40))
		b[0] = '"'
		for k := 1; k < len(b); k++ {
			if r.IntN(4) == 0 {
				b[k] = alphabet[r.IntN(len(alphabet))]
			} else {
				b[k] = byte('a' + r.IntN(26))
			}
		}
		s := string(b)
		e1, x1, w1 := stringEnd(s, 0)
		e2, x2, w2 := ref(s, 0)
		if e1 != e2 || x1 != x2 || w1 != w2 {
			t.Fatalf("stringEnd(%q) = %d %v %q, a byte at a time %d %v %q", s, e1, x1, w1, e2, x2, w2)
		}
	}
}
