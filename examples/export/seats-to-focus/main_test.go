package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/examples/export/internal/exporttest"
)

const dir = "../../../testdata/export/seats"

var runSeats = exporttest.Runner(run)

func bundled(extra ...string) []string {
	return append([]string{"--period", "2025-01", "--prices", dir + "/prices.csv", "--accounts", dir + "/accounts.csv"}, extra...)
}

// TestBundledInput: the bundled January assignments give the golden rows
// and the totals worked out in docs/export-guides/seats.md.
func TestBundledInput(t *testing.T) {
	tot, stderr := exporttest.Bundled(t, run, dir+"/expected-2025-01.csv", bundled(dir+"/assignments-2025-01.csv")...)
	if tot.Rows != 6 {
		t.Errorf("%d rows, want 6", tot.Rows)
	}
	// 1 + 17/31 + 1 + 10/31 + 17/31 + 12/31, each rounded to 6 places
	if got := tot.Quantity["Seat-Months"]; !got.Equal(exporttest.Dec(t, "3.806452")) {
		t.Errorf("Seat-Months %s, want 3.806452", got)
	}
	// AI 30 × (1 + 0.548387 + 0.387097), MATLAB 41.25 × 1.548387,
	// workstation 400 × 0.322581
	if !tot.List.Equal(exporttest.Dec(t, "250.96788375")) {
		t.Errorf("ListCost %s, want 250.96788375", tot.List)
	}
	// AI at 50%, MATLAB free, workstation at 250
	if !tot.Billed.Equal(exporttest.Dec(t, "109.67751")) {
		t.Errorf("BilledCost %s, want 109.67751", tot.Billed)
	}
	if !tot.ByService["GPU Workstation Booking"].Equal(exporttest.Dec(t, "80.64525")) {
		t.Errorf("workstation billed %s", tot.ByService["GPU Workstation Booking"])
	}
	for _, w := range []string{`account "summer-school" is not in`, "8 assignments read, 1 outside the period, 6 rows"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	// A seat is a recurring monthly charge, for the days it was held.
	for _, r := range tot.Records {
		if r[9] != "Recurring" {
			t.Errorf("ChargeFrequency %q", r[9])
		}
		if r[27] == "grace.hopper@uni.edu" && (r[11] != "2025-01-06T00:00:00Z" || r[10] != "2025-01-25T00:00:00Z") {
			t.Errorf("workstation charge period %s to %s, want 2025-01-06 to 2025-01-25 (exclusive)", r[11], r[10])
		}
	}
}

const header = "user,account,seat_type,start_date,end_date\n"

// TestProration: inclusive dates, open ends, months of other lengths.
func TestProration(t *testing.T) {
	in := header +
		"a@uni.edu,chem-lab,ai-assistant,2025-02-01,2025-02-01\n" + // 1 day of 28
		"b@uni.edu,chem-lab,ai-assistant,2025-02-15,\n" + // 14 days of 28: half
		"c@uni.edu,chem-lab,ai-assistant,2025-01-01,2025-03-31\n" // the month
	code, out, stderr := runSeats(t, in, "--period", "2025-02", "--prices", dir+"/prices.csv", "--accounts", dir+"/accounts.csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z")
	// 1/28 = 0.035714 + 0.5 + 1
	if got := tot.Quantity["Seat-Months"]; !got.Equal(exporttest.Dec(t, "1.535714")) {
		t.Errorf("Seat-Months %s, want 1.535714", got)
	}
	if !strings.Contains(out, "2025-02-02T00:00:00Z,2025-02-01T00:00:00Z") {
		t.Errorf("a one-day seat's charge period is that day:\n%s", out)
	}
}

// TestDataProblems: each mistake names file, line and column; no rows.
func TestDataProblems(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"bad date", header + "a@uni.edu,chem-lab,matlab,1/5/2025,\n", `<stdin>:2: start_date: "1/5/2025" is not YYYY-MM-DD`},
		{"end before start", header + "a@uni.edu,chem-lab,matlab,2025-01-05,2025-01-04\n", `<stdin>:2: end_date: 2025-01-04 is before start_date 2025-01-05`},
		{"unknown seat", header + "a@uni.edu,chem-lab,stata,2025-01-05,\n", `<stdin>:2: seat_type: "stata" is not in`},
		{"no account", header + "a@uni.edu,,matlab,2025-01-05,\n", `<stdin>:2: account: empty`},
		{"overlap", header + "a@uni.edu,chem-lab,matlab,2025-01-01,2025-01-10\na@uni.edu,chem-lab,matlab,2025-01-10,\n",
			`<stdin>:3: start_date: a@uni.edu holds matlab on 2025-01-10 already (<stdin>:2)`},
		{"missing column", "user,account,seat_type,start_date\n", "missing column(s) end_date"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runSeats(t, c.in, bundled()...)
			if code != 1 || out != "" || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, out %q, stderr lacks %q:\n%s", code, out, c.want, stderr)
			}
		})
	}
}

// TestPrices: price list mistakes are refused with the line.
func TestPrices(t *testing.T) {
	p := filepath.Join(t.TempDir(), "p.csv")
	in := header + "a@uni.edu,chem-lab,x,2025-01-05,\n"
	h := "seat_type,service_name,service_category,list_price,billed_price\n"
	for _, c := range []struct{ prices, want string }{
		{h + "x,X,Software,10,5\n", `p.csv:2: service_category: "Software" is not a FOCUS ServiceCategory`},
		{h + "x,X,Compute,10,5\ny,X,Other,10,5\n", `p.csv:3: service_category: X is "Compute" on an earlier line`},
		{h + "x,X,Compute,10,12\n", "p.csv:2: billed_price: 12 is above the list rate 10"},
		{h + "x,X,Compute,10,5\nx,X,Compute,10,5\n", `p.csv:3: seat_type "x" is listed twice`},
	} {
		if err := os.WriteFile(p, []byte(c.prices), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, stderr := runSeats(t, in, "--period", "2025-01", "--prices", p, "--accounts", dir+"/accounts.csv")
		if code != 1 || out != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, c.want, stderr)
		}
	}
}

// TestUsage: usage errors exit 2; --help shows the guides' check.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, bundled("--out", "xml"), bundled(dir + "/no-such.csv")} {
		if code, _, _ := runSeats(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, stderr := runSeats(t, "", "--help"); code != 0 || !strings.Contains(stderr, "focus-validate --strict --strict-profile=false") {
		t.Errorf("--help: exit %d\n%s", code, stderr)
	}
}

// TestNDJSON: --out ndjson writes one object a row, Tags as an object.
func TestNDJSON(t *testing.T) {
	code, out, stderr := runSeats(t, "", bundled("--out", "ndjson", dir+"/assignments-2025-01.csv")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 || !strings.Contains(lines[0], `"Tags":{"fund_org":"NIH-R01-778"`) {
		t.Errorf("%d lines; first: %s", len(lines), lines[0])
	}
}
