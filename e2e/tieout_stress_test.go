package e2e

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/journal"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
)

// TestTieOutStress is issue 27's rounding stress: 20k generated rows over
// 1000 PIs (the PDF benchmark's data), loaded, adjusted, finalized, stated
// per PI and per project, and journalled. Per-line rounding moves the
// statements away from the rows' exact total by more than a dollar; the
// journal must still credit income the rows' total rounded once (plus the
// adjustments), debit the funds what the statements say, and carry the
// difference on the rounding account, and the summary must say so.
func TestTieOutStress(t *testing.T) {
	root, _ := filepath.Abs("..")
	dir := t.TempDir()
	gen := exec.Command("go", "run", "./internal/gendata", "--rows", "20000", "--pis", "1000", "--period", "2025-01", "--seed", "1")
	gen.Dir = root
	data, err := gen.Output()
	if err != nil {
		t.Fatalf("gendata: %v", err)
	}
	src := filepath.Join(dir, "gen.csv")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	exact, _ := fileTotals(t, src)
	pipe(t, dir, `focus-load --db l.db import --source BENCH --period 2025-01 gen.csv`)
	// Adjustments of both signs, one with sub-cent input (the ledger keeps
	// it; the statement rounds it to cents, and so does the source total).
	sts0 := statementsOf(t, dir, "")
	adjs := []string{"-12.50", "3.333", "-0.01"}
	adjSum := money.Zero
	for i, a := range adjs {
		pi := sts0[i*7].PI.Email
		pipe(t, dir, fmt.Sprintf(`focus-load --db l.db adjust --period 2025-01 --pi %s --amount %s --reason 'stress %d'`, pi, a, i))
		adjSum = adjSum.Add(money.Cents(decimal.RequireFromString(a)))
	}
	pipe(t, dir, `focus-load --db l.db periods close 2025-01 && focus-load --db l.db periods finalize 2025-01`)

	wantSource := money.Cents(exact).Add(adjSum)
	// Several income accounts, so the rounding is shared out among them.
	accounts := filepath.Join(dir, "accounts.csv")
	if err := os.WriteFile(accounts, []byte(`source,service,service_category,income_fund,income_account,cost_center,expense_account,kind
,,Compute,SC,48010,RC,62010,
,,Storage,SC,48020,RC,62020,
,,,SC,48000,RC,62000,
,Adjustment,,SC,48900,RC,62900,
,,,SC,48990,RC,,rounding
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, by := range []string{"pi", "project"} {
		sts := statementsOf(t, dir, by)
		lines := 0
		due := money.Zero
		for _, s := range sts {
			lines += len(s.Lines)
			due = due.Add(s.Totals.AmountDue)
		}
		rounding := wantSource.Sub(due)
		// Each line is at most half a cent from its exact sum.
		if limit := decimal.New(int64(lines), -2).Div(decimal.NewFromInt(2)); rounding.Abs().GreaterThan(limit) {
			t.Errorf("--by %s: rounding %s over %d lines exceeds half a cent a line", by, rounding, lines)
		}
		if rounding.IsZero() {
			t.Errorf("--by %s: the stress data leaves no rounding to tie (source %s, statements %s): it tests nothing", by, wantSource, due)
		}
		tie, err := statement.Tie(sts)
		if err != nil {
			t.Fatal(err)
		}
		if !tie.Source.Equal(wantSource.Decimal) || !tie.Statements.Equal(due.Decimal) || !tie.Rounding.Equal(rounding.Decimal) {
			t.Errorf("--by %s: statement.Tie %+v; want source %s statements %s rounding %s", by, tie, wantSource, due, rounding)
		}

		out := pipe(t, dir, `focus-journal --accounts `+accounts+` -o journal-`+by+`.csv st-`+by+`.ndjson`)
		want := fmt.Sprintf("source total %s = statements %s + rounding %s", money.Display(wantSource, "USD"), money.Display(due, "USD"), money.Display(rounding, "USD"))
		if !strings.Contains(out, want) {
			t.Errorf("--by %s: summary lacks %q:\n%s", by, want, out)
		}
		net := journalNets(t, filepath.Join(dir, "journal-"+by+".csv"))
		if !net["income"].Equal(wantSource.Decimal) || !net["fund"].Equal(due.Neg().Decimal) || !net["rounding"].Equal(due.Sub(wantSource).Decimal) || !net["total"].IsZero() {
			t.Errorf("--by %s: journal nets (credit +) %v; want income %s, funds −%s, rounding %s, balanced", by, net, wantSource, due, due.Sub(wantSource))
		}
		t.Logf("--by %s: %d statements, %d lines: rows exact %s + adjustments %s → source total %s = statements %s + rounding %s",
			by, len(sts), lines, exact, adjSum, wantSource, due, rounding)
	}
}

// statementsOf runs focus-statement (by "" = the default) into st-BY.ndjson.
func statementsOf(t *testing.T, dir, by string) []statement.Statement {
	t.Helper()
	flag := ""
	if by != "" {
		flag = " --by " + by
	}
	pipe(t, dir, `focus-statement --db l.db --period 2025-01`+flag+` > st-`+by+`.ndjson`)
	return readStatements(t, filepath.Join(dir, "st-"+by+".ndjson"))
}

// journalNets reads a generic journal and returns each party's net
// (credits − debits) and the whole journal's ("total").
func journalNets(t *testing.T, path string) map[string]decimal.Decimal {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	net := map[string]decimal.Decimal{"total": decimal.Zero}
	for _, r := range recs[1:] {
		signed := decimal.RequireFromString(r[col["amount"]]).Neg() // amount: debit +, credit −
		net[r[col["party"]]] = net[r[col["party"]]].Add(signed)
		net["total"] = net["total"].Add(signed)
	}
	return net
}

// TestTieOutStressDrift: the worst case for per-line rounding, in memory:
// 1000 PIs × 20 lines whose exact sums all end in a half cent, so every
// line rounds up and the statements drift $100 above the rows. The
// journal still credits income the rows' total and names the $100.
func TestTieOutStressDrift(t *testing.T) {
	b, err := build.NewBuilder(ledger.PeriodInfo{Period: "2025-01", State: ledger.StateFinalized}, build.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(27, 1))
	exact := decimal.Zero
	services := []string{"HPC Compute", "HPC GPU", "Research Storage", "Amazon EC2", "Amazon S3"}
	sources := map[string]string{"HPC Compute": "HPC", "HPC GPU": "HPC", "Research Storage": "Storage", "Amazon EC2": "AWS", "Amazon S3": "AWS"}
	id := int64(0)
	for p := range 1000 {
		for k := range 20 {
			svc := services[k%len(services)]
			amt := decimal.New(rng.Int64N(1_000_000)*10+5, -3) // n.nn5: rounds up by half a cent
			id++
			c := ledger.Charge{ID: id, Source: sources[svc], ServiceName: svc, PIEmail: fmt.Sprintf("pi%04d@uni.edu", p),
				ProjectID: fmt.Sprintf("proj-%d", k/5), FundOrg: fmt.Sprintf("F-%04d", p), BilledCost: amt, ListCost: amt}
			if err := b.Add(&c); err != nil {
				t.Fatal(err)
			}
			exact = exact.Add(amt)
		}
	}
	sts, err := b.Statements()
	if err != nil {
		t.Fatal(err)
	}
	accts, err := journal.ReadAccounts(strings.NewReader(stressAccounts), "accounts.csv")
	if err != nil {
		t.Fatal(err)
	}
	ins, err := journalInputs(sts)
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Build(ins, accts, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	source := money.Cents(exact)
	if !j.Tie.Source.Equal(source.Decimal) || j.Tie.Rounding.String() != "-100.00" || !j.NetIncome.Equal(source.Decimal) ||
		!j.NetCharged.Equal(j.Tie.Statements.Decimal) || !j.TotalDebit.Equal(j.TotalCredit.Decimal) {
		t.Errorf("rows %s: tie %+v, net income %s, net charged %s, debits %s credits %s", exact, j.Tie, j.NetIncome, j.NetCharged, j.TotalDebit, j.TotalCredit)
	}
	t.Logf("20k lines over 1000 PIs: %s", j.TieOutLine())
}

const stressAccounts = `source,service,service_category,income_fund,income_account,cost_center,expense_account,kind
HPC,,,SC,48100,RC,62100,
Storage,,,SC,48200,RC,62200,
AWS,,,SC,48300,RC,62300,
,Adjustment,,SC,48900,RC,62900,
,,,SC,48990,RC,,rounding
`

// journalInputs passes statements through their NDJSON, as focus-journal
// reads them: the journal depends on nothing the stream does not carry.
func journalInputs(sts []statement.Statement) ([]journal.Input, error) {
	var buf strings.Builder
	if err := statement.WriteNDJSON(&buf, sts); err != nil {
		return nil, err
	}
	return journal.ReadStatements(strings.NewReader(buf.String()), "stress.ndjson")
}
