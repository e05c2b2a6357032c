package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/statement"
)

// pipe runs a shell pipeline of the real binaries.
func pipe(t *testing.T, dir, script string) string {
	t.Helper()
	cmd := exec.Command("sh", "-ec", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, errb.String())
	}
	return out.String() + errb.String()
}

// fileTotals sums BilledCost and ListCost of FOCUS files exactly.
func fileTotals(t *testing.T, files ...string) (billed, list decimal.Decimal) {
	t.Helper()
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := focus.NewReader(fh, f)
		if err != nil {
			t.Fatal(err)
		}
		b, l := r.Index("BilledCost"), r.Index("ListCost")
		for {
			row, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			billed = billed.Add(decimal.RequireFromString(row.Values[b]))
			list = list.Add(decimal.RequireFromString(row.Values[l]))
		}
		fh.Close()
	}
	return
}

func readStatements(t *testing.T, path string) []statement.Statement {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []statement.Statement
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var s statement.Statement
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestOpenChargebackExportsReconcile: a site's existing 12-column exports
// (date-only values, inclusive BillingPeriodEnd, no BillingCurrency, their tag
// keys) go through validate | flag | load | statement | journal unchanged, and
// the figures agree to the cent at every step.
func TestOpenChargebackExportsReconcile(t *testing.T) {
	root, _ := filepath.Abs("..")
	dir := t.TempDir()
	for _, period := range []string{"2025-01", "2025-02"} {
		src := filepath.Join(root, "testdata", "openchargeback", period)
		files, _ := filepath.Glob(filepath.Join(src, "*.csv"))
		if len(files) < 3 {
			t.Fatalf("want the bundled OpenChargeback exports in %s", src)
		}
		for _, f := range files {
			name := strings.ToUpper(strings.TrimSuffix(filepath.Base(f), ".csv"))
			out := pipe(t, dir, `focus-validate `+f+` 2>validate.log | focus-flag --require-tags pi_email,fund_org,project_id --period `+period+` 2>flag.log | focus-load --db l.db import --source `+name+` --tag-ref1 grant_number; cat validate.log flag.log >&2`)
			if !strings.Contains(out, "0 invalid") || !strings.Contains(out, "into "+period) {
				t.Fatalf("%s: %s", f, out)
			}
			// Their date-only and inclusive-end conventions are normalised with a warning, never silently.
			for _, rule := range []string{"[date-only]", "[inclusive-billing-period-end]", "[chargeback-currency]"} {
				if !strings.Contains(out, rule) {
					t.Errorf("%s: no %s warning: %.2000s", f, rule, out)
				}
			}
		}
		wantBilled, wantList := fileTotals(t, files...)

		pipe(t, dir, `focus-load --db l.db periods close `+period+` && focus-load --db l.db periods finalize `+period)
		pipe(t, dir, `focus-statement --db l.db --period `+period+` --pdf-dir pdf > st-`+period+`.ndjson`)
		sts := readStatements(t, filepath.Join(dir, "st-"+period+".ndjson"))
		var billed, list, due decimal.Decimal
		subsidized := 0
		for _, s := range sts {
			if s.Status != statement.StatusFinal || s.Currency != "USD" {
				t.Errorf("%s: status %s currency %s", s.StatementID, s.Status, s.Currency)
			}
			billed = billed.Add(s.Totals.BilledCost.Decimal)
			list = list.Add(s.Totals.ListCost.Decimal)
			due = due.Add(s.Totals.AmountDue.Decimal)
			for _, l := range s.Lines {
				if l.BilledCost.IsZero() && l.ListCost.IsPositive() {
					subsidized++
				}
			}
		}
		if !billed.Equal(wantBilled) || !list.Equal(wantList) {
			t.Fatalf("%s: statements billed %s list %s, exports billed %s list %s", period, billed, list, wantBilled, wantList)
		}
		if subsidized == 0 {
			t.Errorf("%s: no fully subsidized line ($0 billed, list > 0) on any statement", period)
		}
		// --by project: one statement per PI and project, same totals.
		pipe(t, dir, `focus-statement --db l.db --period `+period+` --by project > byproj-`+period+`.ndjson`)
		var projBilled decimal.Decimal
		for _, s := range readStatements(t, filepath.Join(dir, "byproj-"+period+".ndjson")) {
			if s.ProjectID == "" {
				t.Errorf("--by project statement %s has no project_id", s.StatementID)
			}
			projBilled = projBilled.Add(s.Totals.BilledCost.Decimal)
		}
		if !projBilled.Equal(wantBilled) {
			t.Fatalf("%s: --by project billed %s, want %s", period, projBilled, wantBilled)
		}
		// The journal's control total is the statements' amount due.
		out := pipe(t, dir, `focus-journal --accounts `+filepath.Join(root, "testdata", "accounts.csv")+` -o journal-`+period+`.csv st-`+period+`.ndjson`)
		if !strings.Contains(out, "control total (statements' amount due) "+due.StringFixed(2)) {
			t.Fatalf("%s: journal summary does not reconcile with Σ amount due %s:\n%s", period, due.StringFixed(2), out)
		}
	}
}
