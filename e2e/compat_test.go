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
	"github.com/openchargeback/ocb/lib/money"
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
		if !strings.Contains(out, "control total (statements' amount due) "+money.Display(money.Cents(due), "")) {
			t.Fatalf("%s: journal summary does not reconcile with Σ amount due %s:\n%s", period, due.StringFixed(2), out)
		}
	}
}

// TestFocusSamplesReconcile: the bundled FOCUS exports (costs with up to six
// decimals) through the pipeline: statement totals are sums of lines rounded
// once to cents, so they differ from the exact ledger total by at most half a
// cent per line, and the PDFs say the same figures as the NDJSON.
func TestFocusSamplesReconcile(t *testing.T) {
	root, _ := filepath.Abs("..")
	dir := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(root, "testdata", "2025-01", "*.csv"))
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".csv")
		pipe(t, dir, `focus-validate `+f+` | focus-flag -q | focus-load --db l.db import --source `+name)
	}
	wantBilled, _ := fileTotals(t, files...)
	// The missing-PI row (billed 11.7504) is rejected: it stays in the ledger, off the statements.
	out := pipe(t, dir, `focus-load --db l.db review list --status pending --format csv`)
	var rejectID string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "planted-missing-pi") {
			rejectID = strings.SplitN(line, ",", 2)[0]
		}
	}
	if rejectID == "" {
		t.Fatalf("planted missing-pi row not in the review list:\n%s", out)
	}
	pipe(t, dir, `focus-load --db l.db review reject `+rejectID)
	wantBilled = wantBilled.Sub(decimal.RequireFromString("11.7504"))

	pipe(t, dir, `focus-statement --db l.db --period 2025-01 --pdf-dir pdf > st.ndjson`)
	sts := readStatements(t, filepath.Join(dir, "st.ndjson"))
	var billed decimal.Decimal
	lines := 0
	for _, s := range sts {
		var sum decimal.Decimal
		for _, l := range s.Lines {
			sum = sum.Add(l.BilledCost.Decimal)
			lines++
		}
		if !sum.Equal(s.Totals.BilledCost.Decimal) {
			t.Errorf("%s: lines sum to %s, total says %s", s.StatementID, sum, s.Totals.BilledCost)
		}
		billed = billed.Add(s.Totals.BilledCost.Decimal)
		if s.PI.Email == "" {
			t.Errorf("statement %s has no PI: the rejected charge leaked in", s.StatementID)
		}
	}
	tolerance := decimal.New(5, -3).Mul(decimal.NewFromInt(int64(lines)))
	if billed.Sub(wantBilled).Abs().GreaterThan(tolerance) {
		t.Fatalf("statements billed %s, ledger %s: more than half a cent per line (%d lines) apart", billed, wantBilled, lines)
	}
	// One PDF, extracted with pdftotext, carries the NDJSON's figures.
	s := sts[0]
	pdfPath := s.PDF // absolute since issue 15; relative to dir before
	if !filepath.IsAbs(pdfPath) {
		pdfPath = filepath.Join(dir, pdfPath)
	}
	txt, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{s.PI.Email, s.Totals.ListCost.Format(), s.Totals.AmountDue.Format(), "DRAFT"} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("PDF of %s lacks %q:\n%s", s.StatementID, want, txt)
		}
	}
}
