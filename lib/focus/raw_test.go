package focus

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestRawRecords(t *testing.T) {
	in := "A,B\n1,\"x\ny\"\n\n2,\"q\"\"\"\r\n3,last"
	r, err := NewRawReader(strings.NewReader(in), "raw.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1,\"x\ny\"\n", "\n2,\"q\"\"\"\r\n", "3,last"}
	for i, w := range want {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
		if got := string(r.Raw()); got != w {
			t.Errorf("record %d raw %q, want %q", i, got, w)
		}
	}
	if _, err := r.Read(); err != io.EOF || r.Raw() != nil {
		t.Errorf("end: %v %q", err, r.Raw())
	}
	// Large input: the buffer is reused and records stay exact.
	var b strings.Builder
	b.WriteString("\xEF\xBB\xBFA,B\n")
	for i := 0; i < 50000; i++ {
		fmt.Fprintf(&b, "%d,%s\n", i, strings.Repeat("z", i%97))
	}
	r, err = NewRawReader(strings.NewReader(b.String()), "big.csv")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50000; i++ {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
		if got, w := string(r.Raw()), fmt.Sprintf("%d,%s\n", i, strings.Repeat("z", i%97)); got != w {
			t.Fatalf("record %d raw %q, want %q", i, got, w)
		}
	}
	if len(r.csv.buf) > 4<<20 {
		t.Errorf("the record buffer holds %d bytes", len(r.csv.buf))
	}
	// NewReader keeps nothing.
	r2, _ := NewReader(strings.NewReader(in), "x")
	r2.Read()
	if r2.Raw() != nil {
		t.Error("NewReader kept raw bytes")
	}
}

func TestHeaderLine(t *testing.T) {
	for in, want := range map[string]int{"A,B\n1,2\n": 1, "\n\n  A,B\n1,2\n": 3, "\n{\"A\":1}\n": 2} {
		r, err := NewReader(strings.NewReader(in), "h")
		if err != nil {
			t.Fatal(err)
		}
		if got := r.HeaderLine(); got != want {
			t.Errorf("%q: header line %d, want %d", in, got, want)
		}
	}
}
