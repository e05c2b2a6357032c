package focus

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// readLimited reads every row, returning the rows' first values (or "ERR
// line:col what") in order.
func readLimited(t *testing.T, r *Reader) []string {
	t.Helper()
	var out []string
	for {
		row, err := r.Read()
		if err == io.EOF {
			return out
		}
		var le *LimitError
		var pe *ParseError
		switch {
		case errors.As(err, &le) && errors.As(err, &pe):
			out = append(out, "ERR "+itoa(pe.Line)+":"+itoa(pe.Column)+" "+le.What)
		case errors.As(err, &pe):
			out = append(out, "ERR "+itoa(pe.Line)+":"+itoa(pe.Column)+" syntax") // what follows a refused multi-line field
		case err != nil:
			t.Fatalf("row %v: %v", row.Line, err)
		default:
			out = append(out, itoa(row.Line)+" "+row.Values[0])
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// A field or a row over the limit is refused with its line and column;
// the rows after it are read as usual, with their own line numbers.
func TestReaderLimits(t *testing.T) {
	big := strings.Repeat("x", 300)
	for _, c := range []struct {
		name, in string
		keepRaw  bool
		want     []string
	}{
		{"field", "A,B\n1,ok\n2," + big + "\n3,ok\n", false, []string{"2 1", "ERR 3:3 field", "4 3"}},
		{"quoted field", "A,B\n1,ok\n2,\"" + big + "\"\n3,ok\n", false, []string{"2 1", "ERR 3:3 field", "4 3"}},
		{"row", "A,B\n1,ok\n2," + big + big + big + big + "\n3,ok\n", false, []string{"2 1", "ERR 3:1001 row", "4 3"}},
		{"row, raw kept", "A,B\n1,ok\n2," + big + big + big + big + "\n3,ok\n", true, []string{"2 1", "ERR 3:1001 row", "4 3"}},
		{"row across lines", "A,B\n1,ok\n2,\"" + big + "\n" + big + "\n" + big + "\n" + big + "\n" + big + "\"\n3,ok\n", false, nil},
		{"ndjson field", "{\"A\":\"1\",\"B\":\"ok\"}\n{\"A\":\"2\",\"B\":\"" + big + "\"}\n{\"A\":\"3\",\"B\":\"ok\"}\n", false, []string{"1 1", "ERR 2:0 field", "3 3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r *Reader
			var err error
			if c.keepRaw {
				r, err = NewRawReader(strings.NewReader(c.in), "f.csv")
			} else {
				r, err = NewReader(strings.NewReader(c.in), "f.csv")
			}
			if err != nil {
				t.Fatal(err)
			}
			r.SetLimits(Limits{MaxField: 200, MaxRow: 1000})
			got := readLimited(t, r)
			if c.want == nil { // a quoted field over many lines: refused, and the read goes on to the end
				refused := false
				for _, g := range got {
					refused = refused || strings.HasPrefix(g, "ERR") && strings.HasSuffix(g, "row")
				}
				if !refused || got[0] != "2 1" {
					t.Errorf("got %q, want the row refused", got)
				}
				return
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// The default limits refuse a 2 MiB field and say how to raise them.
func TestReaderDefaultFieldLimit(t *testing.T) {
	r, err := NewReader(strings.NewReader("A,B\n1,"+strings.Repeat("x", 2<<20)+"\n"), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Read()
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != DefaultLimits.MaxField || !strings.Contains(err.Error(), "f.csv:2:3: B: field longer than 1,048,576 bytes") || !strings.Contains(err.Error(), "--max-field") {
		t.Errorf("err = %v", err)
	}
}
