package ledgertest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// RandomLedger fills a fresh ledger with one random period for property
// tests of the money invariants: several PIs, projects, funds and sources;
// amounts with 0–6 decimals, credits among them; review approvals,
// rejections and tag assignments; adjustments of both signs, with and
// without a project, credits larger than the bill; fully subsidized PIs.
// The returned Model is computed from what was generated, not read back
// from the ledger, so a test can hold the ledger's views against it.
type Model struct {
	Period  string
	Charges []ModelCharge
	Adjs    []decimal.Decimal
}

// ModelCharge is one generated charge after review (its final PI and fund).
type ModelCharge struct {
	PI, Project, Fund, Source, Service, Unit string
	List, Billed                             decimal.Decimal
	Rejected                                 bool
}

// Expected returns the statement totals the rounding rule gives for the
// model: exact sums per PI and statement line, each rounded once to cents,
// then summed; adjustments rounded to cents each.
func (m *Model) Expected() (list, billed, adjustments decimal.Decimal) {
	type key struct{ pi, project, fund, source, service, unit string }
	sums := map[key][2]decimal.Decimal{}
	for _, c := range m.Charges {
		if c.Rejected {
			continue
		}
		k := key{c.PI, c.Project, c.Fund, c.Source, c.Service, c.Unit}
		s := sums[k]
		sums[k] = [2]decimal.Decimal{s[0].Add(c.List), s[1].Add(c.Billed)}
	}
	for _, s := range sums {
		list = list.Add(s[0].Round(2))
		billed = billed.Add(s[1].Round(2))
	}
	for _, a := range m.Adjs {
		adjustments = adjustments.Add(a.Round(2))
	}
	return list, billed, adjustments
}

// knows reports whether a charge (as imported or assigned) names pi.
func (m *Model) knows(pi string) bool {
	for _, c := range m.Charges {
		if c.PI == pi {
			return true
		}
	}
	return false
}

// Funds lists every fund the model's charges and adjustments use.
func (m *Model) Funds() []string {
	seen := map[string]bool{}
	for _, c := range m.Charges {
		seen[c.Fund] = true
	}
	var out []string
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

var (
	piPool      = []string{"ada@uni.edu", "grace@uni.edu", "emmy@uni.edu", "marie@uni.edu", "alan@uni.edu", "rosalind@uni.edu"}
	projectPool = []string{"climate", "ocean", "genomes", "compilers", ""}
	fundPool    = []string{"NSF-1", "NIH-2", "DOE-3", "DEPT-4"}
	sourcePool  = []string{"AWS", "HPC", "Storage"}
	servicePool = []string{"Compute", "GPU", "Object Storage", "Database"}
	unitPool    = []string{"Hours", "Core-Hours", ""}
)

// amount draws an exact decimal with 0–6 decimals in about ±5000.
func amount(t *rapid.T, label string, neg bool) decimal.Decimal {
	places := rapid.IntRange(0, 6).Draw(t, label+"-places")
	lo := int64(0)
	if neg {
		lo = -500_000
	}
	n := rapid.Int64Range(lo, 5_000_000).Draw(t, label+"-units")
	return decimal.New(n, int32(-places))
}

// RandomLedger generates one period into l (a fresh, empty ledger) and
// returns its model. The period is left open, closed or finalized at
// random; when finalized every review item has been decided.
func RandomLedger(t *rapid.T, l *ledger.Ledger) *Model {
	ctx := context.Background()
	actor := ledger.Actor{User: "prop", Origin: "cli"}
	m := &Model{Period: "2025-03"}
	nPI := rapid.IntRange(1, len(piPool)).Draw(t, "pis")
	pis := piPool[:nPI]
	subsidized := map[string]bool{}
	for _, pi := range pis {
		subsidized[pi] = rapid.IntRange(0, 4).Draw(t, "subsidized-"+pi) == 0
	}
	nSrc := rapid.IntRange(1, len(sourcePool)).Draw(t, "sources")
	resource := 0
	for _, src := range sourcePool[:nSrc] {
		var b strings.Builder
		b.WriteString("BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,ListCost,ServiceName,ResourceId,ConsumedQuantity,ConsumedUnit,Tags,x_Flags\n")
		rows := rapid.IntRange(1, 12).Draw(t, "rows-"+src)
		for range rows {
			resource++
			c := ModelCharge{
				PI:      rapid.SampledFrom(pis).Draw(t, "pi"),
				Project: rapid.SampledFrom(projectPool).Draw(t, "project"),
				Fund:    rapid.SampledFrom(fundPool).Draw(t, "fund"),
				Source:  src,
				Service: rapid.SampledFrom(servicePool).Draw(t, "service"),
				Unit:    rapid.SampledFrom(unitPool).Draw(t, "unit"),
			}
			c.List = amount(t, "list", rapid.IntRange(0, 9).Draw(t, "credit-row") == 0)
			switch {
			case subsidized[c.PI]:
				c.Billed = decimal.Zero
			case c.List.IsNegative():
				c.Billed = c.List
			default:
				c.Billed = c.List.Mul(decimal.New(int64(rapid.IntRange(0, 100).Draw(t, "billed-pct")), -2))
			}
			tags := fmt.Sprintf(`{""pi_email"":""%s"",""fund_org"":""%s""`, c.PI, c.Fund)
			if c.Project != "" {
				tags += fmt.Sprintf(`,""project_id"":""%s""`, c.Project)
			}
			tags += "}"
			flag := ""
			if rapid.IntRange(0, 3).Draw(t, "flagged") == 0 {
				flag = "watch"
			}
			qty := ""
			if c.Unit != "" {
				qty = "1"
			}
			fmt.Fprintf(&b, "2025-03-01T00:00:00Z,2025-04-01T00:00:00Z,2025-03-01T00:00:00Z,2025-03-02T00:00:00Z,%s,%s,%s,res-%d,%s,%s,\"%s\",%s\n",
				c.Billed, c.List, c.Service, resource, qty, c.Unit, tags, flag)
			m.Charges = append(m.Charges, c)
		}
		if _, err := l.Import(ctx, actor, strings.NewReader(b.String()), ledger.ImportOptions{
			Source: src, FileName: src + ".csv", Tags: tagkeys.Default()}); err != nil {
			t.Fatalf("import %s: %v\n%s", src, err, b.String())
		}
	}

	// Review: each flagged charge is approved, rejected, reassigned or left.
	items, err := l.ReviewItems(ctx, m.Period, "pending")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		var idx int
		if _, err := fmt.Sscanf(it.ResourceID, "res-%d", &idx); err != nil {
			t.Fatalf("resource id %q", it.ResourceID)
		}
		c := &m.Charges[idx-1]
		ids := []int64{it.ChargeID}
		switch rapid.IntRange(0, 3).Draw(t, "decision") {
		case 0:
			err = l.Approve(ctx, actor, ids, "ok")
		case 1:
			err = l.Reject(ctx, actor, ids, "not ours")
			c.Rejected = true
		case 2:
			c.PI = rapid.SampledFrom(pis).Draw(t, "assign-pi")
			c.Fund = rapid.SampledFrom(fundPool).Draw(t, "assign-fund")
			// A PI or fund no charge names yet is new to the ledger: the
			// admin says so (--new-pi, --new-fund).
			_, err = l.AssignTags(ctx, actor, ids, map[string]string{ledger.RolePIEmail: c.PI, ledger.RoleFundOrg: c.Fund},
				func(r string) string { return r }, ledger.DecideOptions{NewPI: true, NewFund: true})
			if err == nil {
				err = l.Approve(ctx, actor, ids, "assigned")
			}
		}
		if err != nil {
			t.Fatalf("review %d: %v", it.ChargeID, err)
		}
	}

	// Adjustments on PIs the ledger knows: both signs, some larger than
	// everything billed, with and without a project and a fund.
	nAdj := rapid.IntRange(0, 6).Draw(t, "adjustments")
	for i := range nAdj {
		adj := ledger.Adjustment{Period: m.Period, PIEmail: rapid.SampledFrom(pis).Draw(t, "adj-pi"),
			Reason: fmt.Sprintf("adjustment %d", i)}
		// A PI no charge names is new to the ledger: say so, as an admin must.
		adj.NewPI = !m.knows(adj.PIEmail)
		adj.NewFund = true
		adj.Amount = amount(t, "adj", true)
		if rapid.Bool().Draw(t, "big-credit") {
			adj.Amount = decimal.NewFromInt(-int64(rapid.IntRange(1, 100000).Draw(t, "big")))
		}
		if adj.Amount.IsZero() {
			continue
		}
		if rapid.Bool().Draw(t, "adj-project") {
			adj.ProjectID = rapid.SampledFrom(projectPool).Draw(t, "adj-project-id")
		}
		if rapid.Bool().Draw(t, "adj-fund") {
			adj.FundOrg = rapid.SampledFrom(fundPool).Draw(t, "adj-fund-id")
		}
		if _, err := l.Adjust(ctx, actor, adj); err != nil {
			if !ledger.IsRefused(err) || adj.FundOrg != "" {
				t.Fatalf("adjust %+v: %v", adj, err)
			}
			// No fund to infer (none or several): say which, as an admin would.
			adj.FundOrg = rapid.SampledFrom(fundPool).Draw(t, "adj-fund-retry")
			if _, err := l.Adjust(ctx, actor, adj); err != nil {
				t.Fatalf("adjust %+v: %v", adj, err)
			}
		}
		m.Adjs = append(m.Adjs, adj.Amount)
	}

	switch rapid.IntRange(0, 2).Draw(t, "state") {
	case 1:
		if err := l.ClosePeriod(ctx, actor, m.Period); err != nil {
			t.Fatal(err)
		}
	case 2:
		left, err := l.ReviewItems(ctx, m.Period, "pending")
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range left {
			if err := l.Approve(ctx, actor, []int64{it.ChargeID}, "ok"); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.ClosePeriod(ctx, actor, m.Period); err != nil {
			t.Fatal(err)
		}
		if err := l.FinalizePeriod(ctx, actor, m.Period); err != nil {
			t.Fatal(err)
		}
	}
	return m
}
