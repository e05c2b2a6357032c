package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/cliutil"
)

// run calls focus-load in-process with stdin and returns stdout, stderr and
// the exit code.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errs bytes.Buffer
	code := cliutil.Run(newApp(strings.NewReader(stdin), &out, &errs), append([]string{"focus-load"}, args...))
	return out.String(), errs.String(), code
}

// Exit codes: 0 ok (a no-op included), 1 refused or bad data, 2 usage or I/O.
func TestExitCodes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "l.db")
	good := "BillingPeriodStart,BilledCost,ServiceName,Tags,x_Flags\n2025-01-01,1.50,S,\"{\"\"pi_email\"\":\"\"a@uni.edu\"\"}\",missing-tag:fund_org\n"
	for _, c := range []struct {
		stdin string
		args  []string
		code  int
		msg   string
	}{
		{good, []string{"--db", db, "import"}, 2, "--source is required"},
		{good, []string{"--db", db, "import", "--source", "X", "--period", "2025-13"}, 2, "want YYYY-MM"},
		{good, []string{"--db", db, "import", "--source", "X", "/nonexistent.csv"}, 2, "nonexistent"},
		{"BillingPeriodStart,BilledCost,ServiceName,Tags\n2025-01-01,abc,S,\n", []string{"--db", db, "--source", "X"}, 1, "<stdin>:2: BilledCost"},
		{good, []string{"--db", db, "--source", "X"}, 0, "import 1 into 2025-01 (open): 1 rows, 1 flagged for review, list 1.50, billed 1.50 (exact row sums, before rounding)"},
		{good, []string{"--db", db, "--source", "X"}, 0, "already imported as import 1 (same bytes): nothing to do; period 2025-01 is open"},
		{"", []string{"--db", db, "review", "approve", "1"}, 1, "charge 1 has no fund_org"},
		{"", []string{"--db", db, "review", "approve", "x"}, 2, "x"},
		{"", []string{"--db", db, "review", "approve", "99"}, 1, "charge 99 does not exist"},
		{"", []string{"--db", db, "periods", "finalize", "2025-01"}, 1, "close it first"},
		{"", []string{"--db", db, "periods", "close", "2025-01"}, 0, "period 2025-01 is closed"},
		{"", []string{"--db", db, "periods", "finalize", "2025-01"}, 1, "review item 1 pending (missing-tag:fund_org)"},
		{good + "2025-01-01,2,S,,\n", []string{"--db", db, "--source", "X"}, 1, "period 2025-01 is closed: imports are refused"},
		{"", []string{"--db", db, "review", "assign", "--tag", "fund_org=F", "1"}, 1, "fund/org F is not in the ledger"},
		{"", []string{"--db", db, "review", "assign", "--new-fund", "--tag", "fund_org=F", "1"}, 0, "tags assigned to 1 charge"},
		{"", []string{"--db", db, "periods", "finalize", "2025-01"}, 0, "period 2025-01 is finalized"},
		{"", []string{"--db", db, "adjust", "--period", "2025-01", "--pi", "a@uni.edu", "--amount", "-1", "--reason", "r"}, 1, "period 2025-01 is finalized"},
		{"", []string{"--db", db, "periods", "reopen", "2025-01"}, 1, "finalized and cannot change"},
	} {
		_, errs, code := run(t, c.stdin, c.args...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d %q, want %d %q", c.args, code, errs, c.code, c.msg)
		}
	}
	// Lists: CSV when stdout is not a terminal, NDJSON on request.
	out, _, code := run(t, "", "--db", db, "periods", "list")
	if code != 0 || !strings.HasPrefix(out, "period,state,closed_at,finalized_at\n2025-01,finalized,") {
		t.Errorf("periods list: %d %q", code, out)
	}
	out, _, _ = run(t, "", "--db", db, "imports", "--format", "ndjson")
	if !strings.HasPrefix(out, `{`) || !strings.Contains(out, `"billed_cost":"1.5"`) {
		t.Errorf("imports ndjson: %q", out)
	}
}
