package flag

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openchargeback/ocb/lib/focus"
)

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

// Whatever the input, Run either refuses it with a parse error or writes
// every row, and the raw-copy second pass gives the same rows and flags as
// parsing and re-encoding.
func FuzzRun(f *testing.F) {
	f.Add(csvOf(r{}, r{billed: "-1", list: "-1"}, r{res: "vm-1"}, r{res: "vm-1"}, r{tags: `{"pi_email":"x@@y"}`}))
	f.Add("ServiceName,BilledCost,Tags\r\nHPC,\"1\r\n\",{}\r\n\r\nHPC,2,\"{\"\"pi_email\"\":\"\"a@b.edu\"\"}\"")
	f.Add(`{"ServiceName":"HPC","BilledCost":1}` + "\n\n" + `{"BilledCost":"-2","Tags":{"pi_email":"a@b.c"}}` + "\n{}")
	f.Add("\xEF\xBB\xBF\n\nA,x_Flags\n1,site;outlier\n")
	f.Fuzz(func(t *testing.T, in string) {
		// A hang becomes a failure with every goroutine's stack.
		tm := time.AfterFunc(30*time.Second, func() {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			panic(fmt.Sprintf("WATCHDOG %q\n%s", in, buf[:n]))
		})
		defer tm.Stop()
		dir := t.TempDir()
		var whys [2]bytes.Buffer
		runOnce := func(parsed bool) (string, *Summary, error) {
			cfg := DefaultConfig()
			cfg.TempDir = dir
			cfg.parsedOnly = parsed
			cfg.RequireTags = []string{"pi_email", "fund_org"}
			cfg.Explain = &whys[0]
			if parsed {
				cfg.Explain = &whys[1]
			}
			var out bytes.Buffer
			sum, err := Run(cfg, []Input{{Name: "-", R: strings.NewReader(in)}}, &out)
			return out.String(), sum, err
		}
		raw, sum, err := runOnce(false)
		if err != nil {
			var pe *focus.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("non-parse error: %v", err)
			}
			return
		}
		parsed, _, err := runOnce(true)
		if err != nil {
			t.Fatalf("parsed path failed where raw did not: %v", err)
		}
		if sum.Rows == 0 {
			return
		}
		a, b := readAll(t, raw), readAll(t, parsed)
		if len(a) != sum.Rows+1 || len(b) != len(a) {
			t.Fatalf("rows: raw %d, parsed %d, summary %d", len(a)-1, len(b)-1, sum.Rows)
		}
		// A CSV reader turns CR LF inside a quoted field into LF, so a
		// value holding CR LF (from CR CR LF in the input) cannot be
		// written out to read back the same: the raw path copies the
		// field's bytes (read back: CR LF), the parsed one writes the
		// value (read back: LF). Both read as LF after one more round
		// trip, which is what any CSV reader of the output sees anyway.
		crlf := strings.NewReplacer("\r\n", "\n")
		for i := range a {
			if crlf.Replace(strings.Join(a[i], "\x00")) != crlf.Replace(strings.Join(b[i], "\x00")) {
				t.Fatalf("row %d:\nraw    %q\nparsed %q", i, a[i], b[i])
			}
		}
		if whys[0].String() != whys[1].String() {
			t.Fatalf("explanations differ:\n%s\n%s", whys[0].String(), whys[1].String())
		}
		// Every code focus-flag wrote has at least one explanation line.
		fi := slices.Index(a[0], ColumnFlags)
		own := 0
		for _, row := range a[1:] {
			for _, code := range SplitFlags(row[fi]) {
				if IsOwnCode(code) {
					own++
				}
			}
		}
		if n := strings.Count(whys[0].String(), "\n"); n < own {
			t.Fatalf("%d explanation lines for %d codes:\n%s", n, own, whys[0].String())
		}
	})
}
